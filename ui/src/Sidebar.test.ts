// The sidebar with every IPC command mocked: each screen of screens.ts is reachable from it, is
// marked as the current page (and no other is), shows its heading, and has no serious or
// critical accessibility problem that axe-core finds without a layout engine (names, roles,
// labels, ARIA; colours are audited in the real webview by the WebDriver run).
import { cleanup, fireEvent, render, screen, within } from "@testing-library/svelte";
import axe from "axe-core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// Answers for the commands whose data a screen needs to draw; every other command stays
// pending, which each screen shows as loading.
const answers = vi.hoisted((): Record<string, unknown> => ({
  appStatus: { version: "0.1.0", dataDir: "/d", serverBinary: "/s", counts: { templates: 0, personas: 0, contexts: 0 } },
  providerStatus: { providers: [] },
  healthCheck: { level: "ok", checks: [] },
  clientsList: [],
  movingInScan: { suggestedDir: null, clients: [] },
  takeFocus: null,
  usageHistory: { usage: { days: ["2026-12-06", "2026-12-07"], providers: [] }, tools: [] },
  backupsList: [],
  autostartEnabled: false,
}));
const ipc = vi.hoisted(
  () =>
    new Proxy({} as Record<string, ReturnType<typeof vi.fn>>, {
      get(calls, name: string) {
        calls[name] ??= vi.fn(() => (name in answers ? Promise.resolve(answers[name]) : new Promise(() => {})));
        return calls[name];
      },
    }),
);
vi.mock("./lib/ipc", () => ({
  ipc,
  onFocusRequest: () => Promise.resolve(() => {}),
  message: (e: unknown) => String(e),
}));
vi.mock("./lib/usage/chart", () => ({ draw: () => ({ update() {}, destroy() {} }) }));

import App from "./App.svelte";
import { setChoice } from "./lib/i18n.svelte";
import { SCREENS } from "./lib/screens";

/** Serious and critical findings of axe-core on the page as it is now, one line each. */
async function audit(): Promise<string[]> {
  const result = await axe.run(document.body, {
    resultTypes: ["violations"],
    // Needs real layout and colours: checked in the real webview (tests/e2e).
    rules: { "color-contrast": { enabled: false } },
  });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

describe("sidebar", () => {
  afterEach(cleanup);
  beforeEach(() => setChoice("en"));

  it("reaches every screen, marks only it as current and shows its heading, without serious accessibility problems", async () => {
    render(App);
    const nav = within(screen.getByRole("navigation", { name: "Screens" }));
    const buttons = nav.getAllByRole("button");
    expect(buttons).toHaveLength(SCREENS.length);
    for (const s of SCREENS) {
      const button = buttons.find((b) => b.dataset.screen === s.id);
      if (!button) throw new Error(`no sidebar entry for ${s.id}`);
      await fireEvent.click(button);
      const current = buttons.filter((b) => b.getAttribute("aria-current") === "page");
      expect(current, s.id).toEqual([button]);
      expect(await screen.findByRole("main", { name: button.textContent?.trim() })).toBeTruthy();
      expect(document.getElementById(s.heading), `${s.id} shows #${s.heading}`).not.toBeNull();
      expect(await audit(), `axe on ${s.id}`).toEqual([]);
    }
  });

  it("is a list of buttons in the Tab order, each named by its label", () => {
    render(App);
    const nav = screen.getByRole("navigation", { name: "Screens" });
    const items = within(within(nav).getByRole("list")).getAllByRole("listitem");
    expect(items).toHaveLength(SCREENS.length);
    for (const item of items) {
      const button = within(item).getByRole("button");
      expect(button.tabIndex).toBe(0);
      expect(button.textContent?.trim()).not.toBe("");
    }
  });
});
