import { mount } from "svelte";
import App from "./App.svelte";
import { setChoice } from "./lib/i18n.svelte";
import { ipc } from "./lib/ipc";
import "./app.css";

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");
// The language chosen in Settings, before the first screen is drawn, so the window does not
// flash in the system's language first. Unreadable (the store failed to open; the overview says
// why): the system's language.
try {
  setChoice(await ipc.appLanguage());
} catch {
  setChoice("auto");
}
export default mount(App, { target });
