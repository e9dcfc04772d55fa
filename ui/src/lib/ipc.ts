// Calls into the Rust side. The commands and their types are generated from the Rust signatures
// (bindings.ts, checked in CI); this file turns every generated command into one that resolves
// with its data and rejects with an `IpcFailure` (the sentence to show, and its kind), which is
// what the screens want. Screens call `ipc.<command>(...)`; their tests mock `ipc`.
import {
  commands,
  type AppStatus_Serialize,
  type BackupRow_Serialize,
  type Change_Serialize,
  type ClientStatus_Serialize,
  type Context_Serialize,
  type ExportFormat,
  type GuideClient,
  type GuideState_Serialize,
  type KeyCheck,
  type LocalServer_Serialize,
  type Focus as FocusKind,
  type Health_Serialize,
  type ImportReport_Serialize,
  type IpcError,
  type IpcErrorKind,
  type KeyTest,
  type MovingInScan_Serialize,
  type NewPersona_Deserialize,
  type NewTemplate_Deserialize,
  type Page_Serialize,
  type PersonaList_Serialize,
  type PersonaPatch_Deserialize,
  type Persona_Serialize,
  type ProviderStatus_Serialize,
  type RenderedTemplate,
  type RepairOutcome_Serialize,
  type StatusReport_Serialize,
  type StoredMessage_Serialize,
  type TemplateList_Serialize,
  type TemplatePatch_Deserialize,
  type Template_Serialize,
  type UninstallReport_Serialize,
} from "./bindings";
import { listen } from "@tauri-apps/api/event";
// The Memory screen.
import type {
  LinkView,
  MemoryChange_Serialize,
  MemoryView_Serialize,
  Memory_Serialize,
  OwnerFilter,
  Permission,
  SearchHit_Serialize,
  SearchPage_Serialize,
} from "./bindings";
// The team: the Personas screen's tree and values in force, and the Delegations screen.
import type {
  Candidate,
  DelegationFilter_Deserialize,
  DelegationPage_Serialize,
  Delegation_Serialize,
  InheritedRule,
  Kind,
  PersonaView_Serialize,
  Priority_Serialize,
  Role,
  Status,
  TeamMember_Serialize,
} from "./bindings";
// Live servers: who is connected, the emergency stop and the pause.
import type {
  ConnectionRow_Serialize,
  LiveServerRow_Serialize,
  Paused,
  StopReport_Serialize,
} from "./bindings";

/** What a generated command answers when its Rust side returns a `Result`. */
type IpcResult<T> = { status: "ok"; data: T } | { status: "error"; error: IpcError };

/** A rejected call: `message` is the sentence to show, `kind` what went wrong. */
export class IpcFailure extends Error {
  readonly kind: IpcErrorKind;
  constructor(error: IpcError) {
    super(error.message);
    this.name = "IpcFailure";
    this.kind = error.kind;
  }
}

// The generated bindings leave a generic return type open (`Page_Serialize<T>`): these say what
// each paged list holds. Every other command keeps its generated signature.
type Commands = Omit<typeof commands, "contextsList" | "contextsSearch" | "contextMessages"> & {
  contextsList: (offset: number | null, limit: number | null) => Promise<IpcResult<Page<Context>>>;
  contextsSearch: (query: string, offset: number | null, limit: number | null) => Promise<IpcResult<Page<Context>>>;
  contextMessages: (id: string, offset: number | null, limit: number | null) => Promise<IpcResult<Page<StoredMessage>>>;
};

/** A command's promise of `{status, data | error}` as a promise of the data. Commands whose Rust
 * side cannot fail (no `Result`) keep what they answer. */
type Unwrapped<F> = F extends (...args: infer A) => Promise<infer R>
  ? (...args: A) => Promise<[R] extends [IpcResult<infer T>] ? T : R>
  : never;
export type Ipc = { [K in keyof Commands]: Unwrapped<Commands[K]> };

// Only a `Result` command's answer has this shape: the others answer plain data, none of which
// has a `status` of "ok" or "error".
const isResult = (value: unknown): value is IpcResult<unknown> =>
  typeof value === "object" &&
  value !== null &&
  "status" in value &&
  (value.status === "ok" || value.status === "error");

/** The error of an answer: our `IpcError`, or what Tauri itself rejects a call with before our
 * code runs (a sentence, e.g. arguments it could not read), which is shown as it is. */
const asIpcError = (error: unknown): IpcError =>
  typeof error === "object" && error !== null && "message" in error && "kind" in error
    ? (error as IpcError)
    : { kind: "failed", message: typeof error === "string" ? error : JSON.stringify(error) };

function unwrapped<A extends unknown[], R>(command: (...args: A) => Promise<R>) {
  return async (...args: A) => {
    const answer = await command(...args);
    if (!isResult(answer)) return answer;
    if (answer.status === "error") throw new IpcFailure(asIpcError(answer.error));
    return answer.data;
  };
}

/** Every command of the Rust side, resolving with its data or rejecting with an `IpcFailure`. */
export const ipc = Object.fromEntries(
  Object.entries(commands).map(([name, command]) => [name, unwrapped(command as (...args: unknown[]) => Promise<unknown>)]),
) as Ipc;

/** An error from a rejected call, as the sentence to show. */
export const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Calls `handler` each time the tray has asked for a part (then take it with `ipc.takeFocus`);
 * resolves to the function that stops listening. */
export const onFocusRequest = (handler: () => void) => listen("focus-requested", () => handler());

// The types the screens use, by the names they know.
export type AppStatus = AppStatus_Serialize;
export type StatusReport = StatusReport_Serialize;
export type ProviderStatus = ProviderStatus_Serialize;
export type ClientStatus = ClientStatus_Serialize;
export type Change = Change_Serialize;
export type RepairOutcome = RepairOutcome_Serialize;
export type { KeyTest, IpcErrorKind };
/** A part of the overview a tray entry opens the window at (src-tauri/src/window.rs). */
export type Focus = FocusKind;
export type Health = Health_Serialize;
export type BackupRow = BackupRow_Serialize;
export type { ExportFormat, Language, LogLevel, LogLine, LogsView } from "./bindings";
export type Persona = Persona_Serialize;
export type PersonaList = PersonaList_Serialize;
export type NewPersona = NewPersona_Deserialize;
export type PersonaPatch = PersonaPatch_Deserialize;
export type Template = Template_Serialize;
export type TemplateList = TemplateList_Serialize;
export type NewTemplate = NewTemplate_Deserialize;
export type TemplatePatch = TemplatePatch_Deserialize;
export type Rendered = RenderedTemplate;
export type Context = Context_Serialize;
export type StoredMessage = StoredMessage_Serialize;
export type Page<T> = Page_Serialize<T>;
export type MovingInScan = MovingInScan_Serialize;
export type ImportReport = ImportReport_Serialize;
export type UninstallReport = UninstallReport_Serialize;
// The first-run guide.
export type GuideState = GuideState_Serialize;
export type LocalServer = LocalServer_Serialize;
export type { GuideClient, KeyCheck };
// Live servers: who is connected, the emergency stop and the pause.
export type LiveServerRow = LiveServerRow_Serialize;
export type ConnectionRow = ConnectionRow_Serialize;
export type StopReport = StopReport_Serialize;
export type { Paused };
// The Memory screen: a note, a search's hits and page, a note's view, the recent changes.
export type MemoryNote = Memory_Serialize;
export type MemoryLink = LinkView;
export type MemoryHit = SearchHit_Serialize;
export type MemoryPage = SearchPage_Serialize;
export type MemoryView = MemoryView_Serialize;
export type MemoryChange = MemoryChange_Serialize;
export type MemoryOwner = OwnerFilter;
export type MemoryPermission = Permission;
// The team: a persona's place in the tree, a persona with its values in force, and the
// delegated tasks.
export type TeamMember = TeamMember_Serialize;
export type PersonaView = PersonaView_Serialize;
export type { InheritedRule, Role, Candidate };
export type Delegation = Delegation_Serialize;
export type DelegationPage = DelegationPage_Serialize;
export type DelegationFilter = DelegationFilter_Deserialize;
export type DelegationStatus = Status;
export type DelegationKind = Kind;
export type DelegationPriority = Priority_Serialize;
