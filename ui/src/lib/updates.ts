// Calls of the Updates card: the typed commands of src-tauri/src/update_commands.rs, and the
// "update-state" event the app sends whenever a check or an install changes the state (also
// when the check ran on its own or from the tray).
import { listen } from "@tauri-apps/api/event";
import { commands, type UpdateState_Serialize } from "./bindings";
import { unwrap } from "./ipc";

export type UpdateState = UpdateState_Serialize;

/** The event name, as src-tauri/src/updater.rs emits it. */
export const UPDATE_STATE_EVENT = "update-state";

// A failed check or installation is not a rejected call: its sentence is in `state.error`.
export const updateState = () => commands.updateState();
export const updateCheck = () => commands.updateCheck();
export const updateInstall = () => commands.updateInstall();
export const updateAutoSet = (enabled: boolean) => unwrap(commands.updateAutoSet(enabled));

/** Calls `handler` with every new state; resolves to the function that stops listening. */
export const onUpdateState = (handler: (state: UpdateState) => void) =>
  listen<UpdateState>(UPDATE_STATE_EVENT, (event) => handler(event.payload));
