// The sidebar's screens, in order: one entry each, with its label, the components it shows one
// under the other, and the heading that takes the keyboard focus when the tray (or another
// screen) sends the user there. A new screen (memory, team, remote servers, the first-run guide)
// is one more entry here, its label in the locales and its id in shell.ts.
import type { Component } from "svelte";
import type { Key } from "./i18n.svelte";
import type { ScreenId } from "./shell";
import Backups from "./Backups.svelte";
import Clients from "./Clients.svelte";
import Contexts from "./Contexts.svelte";
import Delegations from "./Delegations.svelte";
import Guide from "./Guide.svelte";
import Health from "./Health.svelte";
import Keys from "./Keys.svelte";
import Logs from "./Logs.svelte";
import Memory from "./Memory.svelte";
import MovingIn from "./MovingIn.svelte";
import Overview from "./Overview.svelte";
import Personas from "./Personas.svelte";
import RemoveEverything from "./RemoveEverything.svelte";
import Settings from "./Settings.svelte";
import Templates from "./Templates.svelte";
import Updates from "./Updates.svelte";
import Usage from "./usage/Usage.svelte";

/** A sidebar label: the `nav.*` words, which take no values. */
type Label = Extract<Key, `nav.${string}`>;

export type Screen = {
  id: ScreenId;
  label: Label;
  // Screens take no props: what they share comes from the shell (shell.ts).
  parts: Component[];
  /** The id of the heading focused when the screen is opened for the user. */
  heading: string;
};

export const SCREENS: readonly Screen[] = [
  { id: "overview", label: "nav.overview", parts: [Overview], heading: "overview-title" },
  { id: "health", label: "nav.health", parts: [Health], heading: "health-title" },
  { id: "clients", label: "nav.clients", parts: [Clients], heading: "clients-title" },
  { id: "keys", label: "nav.keys", parts: [Keys], heading: "keys-title" },
  { id: "usage", label: "nav.usage", parts: [Usage], heading: "usage-title" },
  { id: "personas", label: "nav.personas", parts: [Personas], heading: "personas-title" },
  { id: "templates", label: "nav.templates", parts: [Templates], heading: "templates-title" },
  { id: "contexts", label: "nav.contexts", parts: [Contexts], heading: "contexts-title" },
  { id: "memory", label: "nav.memory", parts: [Memory], heading: "memory-title" },
  { id: "delegations", label: "nav.delegations", parts: [Delegations], heading: "delegations-title" },
  { id: "backups", label: "nav.backups", parts: [Backups], heading: "backups-title" },
  { id: "logs", label: "nav.logs", parts: [Logs], heading: "logs-title" },
  {
    id: "settings",
    label: "nav.settings",
    parts: [Settings, Updates, MovingIn, RemoveEverything],
    heading: "settings-title",
  },
  { id: "guide", label: "nav.guide", parts: [Guide], heading: "guide-title" },
];

/** The screen with this id (the overview for an id this build does not know). */
export const screenOf = (id: string): Screen => SCREENS.find((s) => s.id === id) ?? SCREENS[0];
