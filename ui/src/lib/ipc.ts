// Calls into the Rust side. The commands and their types are generated from the Rust signatures
// (bindings.ts, checked in CI); this file only turns their `{status, data | error}` results into
// promises that reject with the error sentence, which is what the screens want.
import {
  commands,
  type AppStatus_Serialize,
  type BackupRow_Serialize,
  type Change_Serialize,
  type ClientStatus_Serialize,
  type Context_Serialize,
  type ExportFormat,
  type LogLevel,
  type NewPersona_Deserialize,
  type NewTemplate_Deserialize,
  type Page_Serialize,
  type PersonaPatch_Deserialize,
  type Persona_Serialize,
  type RenderedTemplate,
  type StoredMessage_Serialize,
  type TemplateList_Serialize,
  type TemplatePatch_Deserialize,
  type Template_Serialize,
  type Health_Serialize,
  type KeyTest,
  type ProviderStatus_Serialize,
  type RepairOutcome_Serialize,
  type StatusReport_Serialize,
  type ImportReport_Serialize,
  type MovingInScan_Serialize,
  type UninstallReport_Serialize,
  type Language,
  type Focus as FocusKind,
} from "./bindings";
import { listen } from "@tauri-apps/api/event";

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

/** A part of the overview a tray entry opens the window at (src-tauri/src/window.rs). */
export type Focus = FocusKind;
/** The part the tray asked for, once: whoever takes it, applies it. */
export const takeFocus = () => commands.takeFocus();
/** Calls `handler` each time the tray has asked for a part (then take it with `takeFocus`);
 * resolves to the function that stops listening. */
export const onFocusRequest = (handler: () => void) => listen("focus-requested", () => handler());

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
/** The language chosen in Settings ("auto" follows the system); setting it re-labels the tray too. */
export const appLanguage = () => unwrap(commands.appLanguage());
export const setAppLanguage = (language: Language) => unwrap(commands.setAppLanguage(language));
export const autostartSet = (enabled: boolean) => unwrap(commands.autostartSet(enabled));

export type Health = Health_Serialize;
export type BackupRow = BackupRow_Serialize;
export const healthCheck = () => unwrap(commands.healthCheck());
export const backupsList = () => unwrap(commands.backupsList());
export const backupNow = () => unwrap(commands.backupNow());
export const backupVerify = (path: string) => unwrap(commands.backupVerify(path));
export const backupRestore = (path: string) => unwrap(commands.backupRestore(path));

// Personas, templates, contexts and logs screens. Each call is one llmgen-core action.
export type { ExportFormat, LogLevel, LogLine, LogsView, PersonaList_Serialize as PersonaList } from "./bindings";
export type Persona = Persona_Serialize;
export type NewPersona = NewPersona_Deserialize;
export type PersonaPatch = PersonaPatch_Deserialize;
export type Template = Template_Serialize;
export type TemplateList = TemplateList_Serialize;
export type NewTemplate = NewTemplate_Deserialize;
export type TemplatePatch = TemplatePatch_Deserialize;
export type Rendered = RenderedTemplate;
export type Context = Context_Serialize;
export type StoredMessage = StoredMessage_Serialize;
// The generated bindings leave the page's item type open; these say what each list holds.
export type Page<T> = Page_Serialize<T>;

export const personasList = () => unwrap(commands.personasList());
export const personaCreate = (persona: NewPersona) => unwrap(commands.personaCreate(persona));
export const personaUpdate = (name: string, patch: PersonaPatch) => unwrap(commands.personaUpdate(name, patch));
export const personaDelete = (name: string) => unwrap(commands.personaDelete(name));
export const personaReset = (name: string) => unwrap(commands.personaReset(name));

export const templatesList = () => unwrap(commands.templatesList());
export const templateAdd = (template: NewTemplate) => unwrap(commands.templateAdd(template));
export const templateUpdate = (name: string, patch: TemplatePatch) => unwrap(commands.templateUpdate(name, patch));
export const templateDelete = (name: string) => unwrap(commands.templateDelete(name));
export const templateReset = (name: string) => unwrap(commands.templateReset(name));
export const templateRender = (name: string, args: Record<string, string>) =>
  unwrap(commands.templateRender(name, args));

export const contextsList = (offset: number, limit: number): Promise<Page<Context>> =>
  unwrap(commands.contextsList(offset, limit));
export const contextsSearch = (query: string, offset: number, limit: number): Promise<Page<Context>> =>
  unwrap(commands.contextsSearch(query, offset, limit));
export const contextMessages = (id: string, offset: number, limit: number): Promise<Page<StoredMessage>> =>
  unwrap(commands.contextMessages(id, offset, limit));
export const contextDelete = (id: string) => unwrap(commands.contextDelete(id));
export const contextExportPath = (id: string, format: ExportFormat) => unwrap(commands.contextExportPath(id, format));
export const contextExport = (id: string, format: ExportFormat, path: string) =>
  unwrap(commands.contextExport(id, format, path));

export const logsRecent = (level: LogLevel, limit: number) => unwrap(commands.logsRecent(level, limit));
export const logsOpenFolder = () => unwrap(commands.logsOpenFolder());

export type MovingInScan = MovingInScan_Serialize;
export type ImportReport = ImportReport_Serialize;
export type UninstallReport = UninstallReport_Serialize;
export const movingInScan = () => unwrap(commands.movingInScan());
export const movingInImport = (dir: string, dryRun: boolean, includeExpired: boolean) =>
  unwrap(commands.movingInImport(dir, dryRun, includeExpired));
export const movingInReplaceEntries = () => unwrap(commands.movingInReplaceEntries());
export const removeEverything = (removeData: boolean, dryRun: boolean) =>
  unwrap(commands.removeEverything(removeData, dryRun));
