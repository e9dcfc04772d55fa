// What App.svelte shares with the screens through Svelte's context: going to another screen
// (and to a heading on it), and the data the app reads once at start (the overview's status and
// the providers). Screens take it with `shell()`; their tests may leave it out.
import { getContext, setContext } from "svelte";
import type { AppStatus, StatusReport } from "./ipc";

/** Every screen of the sidebar, by id (screens.ts lists them with their labels and parts). */
export type ScreenId =
  | "overview"
  | "health"
  | "clients"
  | "keys"
  | "usage"
  | "personas"
  | "templates"
  | "contexts"
  | "memory"
  | "delegations"
  | "backups"
  | "logs"
  | "settings"
  | "guide";

export type Shell = {
  /** Opens `screen` and moves the keyboard focus to `heading` (an element id) on it. */
  go(screen: ScreenId, heading?: string): void;
  readonly status: AppStatus | null;
  readonly providers: StatusReport | null;
};

const KEY = Symbol("shell");

/** App.svelte, once, while it is created. */
export const provideShell = (shell: Shell): Shell => setContext(KEY, shell);

/** Whether the screen runs in the app, which can go to other screens (a test may leave it out). */
export const inApp = (): boolean => getContext<Shell | undefined>(KEY) !== undefined;

/** The shell a screen runs in; outside the app (a screen's own test) nothing goes anywhere. */
export const shell = (): Shell =>
  getContext<Shell | undefined>(KEY) ?? { go: () => {}, status: null, providers: null };
