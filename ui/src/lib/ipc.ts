// Calls into the Rust side. The commands and their types are generated from the Rust signatures
// (bindings.ts, checked in CI); this file only turns their `{status, data | error}` results into
// promises that reject with the error sentence, which is what the screens want.
import {
  commands,
  type AppStatus_Serialize,
  type BackupRow_Serialize,
  type Change_Serialize,
  type ClientStatus_Serialize,
  type Health_Serialize,
  type KeyTest,
  type ProviderStatus_Serialize,
  type RepairOutcome_Serialize,
  type StatusReport_Serialize,
} from "./bindings";

export type AppStatus = AppStatus_Serialize;
export type StatusReport = StatusReport_Serialize;
export type ProviderStatus = ProviderStatus_Serialize;
export type ClientStatus = ClientStatus_Serialize;
export type Change = Change_Serialize;
export type RepairOutcome = RepairOutcome_Serialize;
export type { KeyTest };

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: string };

export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const result = await call;
  if (result.status === "error") throw new Error(result.error);
  return result.data;
}

export const appStatus = () => unwrap(commands.appStatus());
/** Tells the shell what the first screen shows; the end-to-end test waits for this. */
export const uiReady = (summary: string) => commands.uiReady(summary);

export const providerStatus = () => unwrap(commands.providerStatus());
export const setProviderKey = (provider: string, key: string) =>
  unwrap(commands.setProviderKey(provider, key));
export const deleteProviderKey = (provider: string) => unwrap(commands.deleteProviderKey(provider));
export const testProviderKey = (provider: string) => unwrap(commands.testProviderKey(provider));

export const clientsList = () => unwrap(commands.clientsList());
export const clientsPreview = (id: string) => unwrap(commands.clientsPreview(id));
export const clientsConfigure = (id: string) => unwrap(commands.clientsConfigure(id));
export const clientsRemove = (id: string) => unwrap(commands.clientsRemove(id));
export const clientsRestore = (id: string) => unwrap(commands.clientsRestore(id));
export const clientsRepair = () => unwrap(commands.clientsRepair());

/** An error from a rejected call, as the sentence to show. */
export const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export const autostartEnabled = () => unwrap(commands.autostartEnabled());
export const autostartSet = (enabled: boolean) => unwrap(commands.autostartSet(enabled));

export type Health = Health_Serialize;
export type BackupRow = BackupRow_Serialize;
export const healthCheck = () => unwrap(commands.healthCheck());
export const backupsList = () => unwrap(commands.backupsList());
export const backupNow = () => unwrap(commands.backupNow());
export const backupVerify = (path: string) => unwrap(commands.backupVerify(path));
export const backupRestore = (path: string) => unwrap(commands.backupRestore(path));
