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

export type ProviderKind = "anthropic" | "openai" | "openai-compatible";

export interface UsageSummary {
  calls: number;
  failedCalls: number;
  inputTokens: number;
  outputTokens: number;
  cost?: number;
}

export interface BudgetState {
  unit: "tokens" | "currency";
  monthlyLimit: number;
  used: number;
  left: number;
  percentUsed: number;
  unpricedModels?: string[];
}

export interface ProviderStatus {
  name: string;
  kind: ProviderKind;
  baseUrl: string;
  defaultModel: string;
  isDefault: boolean;
  needsKey: boolean;
  /** Whether a key is available; the key itself never crosses IPC. */
  keyPresent: boolean;
  keySource?: string;
  usage: UsageSummary;
  budget?: BudgetState;
  warnings: string[];
}

export interface StatusReport {
  month: string;
  providers: ProviderStatus[];
}

export interface KeyTest {
  model: string;
  reply: string;
}

export const providerStatus = (): Promise<StatusReport> => invoke<StatusReport>("provider_status");
export const setProviderKey = (provider: string, key: string): Promise<void> =>
  invoke<void>("set_provider_key", { provider, key });
export const deleteProviderKey = (provider: string): Promise<boolean> =>
  invoke<boolean>("delete_provider_key", { provider });
export const testProviderKey = (provider: string): Promise<KeyTest> =>
  invoke<KeyTest>("test_provider_key", { provider });
