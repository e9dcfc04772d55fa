// The "update-state" event of the Updates card: the app sends it whenever a check or an install
// changes the state (also when the check ran on its own or from the tray). The card's calls are
// the typed commands of src-tauri/src/commands/updates.rs, through `ipc`; a failed check or
// installation is not a rejected call: its sentence is in `state.error`.
import { listen } from "@tauri-apps/api/event";
import type { UpdateState_Serialize } from "./bindings";

export type UpdateState = UpdateState_Serialize;

/** The event name, as src-tauri/src/updater.rs emits it. */
export const UPDATE_STATE_EVENT = "update-state";

/** Calls `handler` with every new state; resolves to the function that stops listening. */
export const onUpdateState = (handler: (state: UpdateState) => void) =>
  listen<UpdateState>(UPDATE_STATE_EVENT, (event) => handler(event.payload));
