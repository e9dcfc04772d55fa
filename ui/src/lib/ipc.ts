// Typed calls into the Rust side. Every command here is one adapter over a llmgen-core function.
// (Generated bindings replace this file when the command set grows: see the desktop-app issue.)
import { invoke } from "@tauri-apps/api/core";

export interface AppStatus {
  version: string;
  dataDir: string;
  serverBinary: string | null;
  counts: { templates: number; personas: number; contexts: number };
}

export const appStatus = (): Promise<AppStatus> => invoke<AppStatus>("app_status");

/** Tells the shell what the first screen shows; the end-to-end test waits for this. */
export const uiReady = (summary: string): Promise<void> => invoke<void>("ui_ready", { summary });
