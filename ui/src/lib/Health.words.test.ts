// The Health card with every finding core can report at once, in English and Japanese: each is
// worded from its id and parameters, and nothing in the window names a command of ours or holds
// a backtick, although core's command-line words (which do) come along with every check.
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";

const ipc = vi.hoisted(() => ({ healthCheck: vi.fn(), backupNow: vi.fn(), clientsRepair: vi.fn(), serversResume: vi.fn() }));
vi.mock("./ipc", () => ({ ipc, message: (e: unknown) => String(e) }));

import Health from "./Health.svelte";
import { FINDING_IDS, type Finding, type FindingId, type Fix } from "./health-words";
import { setChoice } from "./i18n.svelte";

const path = "/home/u/.local/share/dev.llmgen.desktop/llmgen.db";
const error = "disk I/O error";
const space = { availableBytes: 5 * 2 ** 30, totalBytes: 100 * 2 ** 30, freePercent: 5, at: "/home/u/.local/share", databaseBytes: 3 * 2 ** 20 };
const state = { unit: "currency" as const, monthlyLimit: 10, used: 9, left: 1, percentUsed: 90 };
const invalid = (problem: "syntax" | "repeated-entry", fixable: boolean) =>
  ({ kind: "invalidFile", problem, message: "expected value", line: 3, column: 7, fixable }) as const;

// One of each finding: the type makes this list name every id of the bindings.
const examples: { [F in Finding as F["id"]]: F } = {
  "database.missing": { id: "database.missing", params: { path } },
  "database.unopenable": { id: "database.unopenable", params: { path, error } },
  "database.ok": { id: "database.ok", params: { path } },
  "database.damaged": { id: "database.damaged", params: { path, problems: ["*** in database main ***"] } },
  "database.unreadable": { id: "database.unreadable", params: { path, error } },
  "database.unusable": { id: "database.unusable", params: { error } },
  "schema.current": { id: "schema.current", params: { version: 20261123000005 } },
  "schema.behind": { id: "schema.behind", params: { found: 20261001000000, known: 20261123000005 } },
  "schema.ahead": { id: "schema.ahead", params: { found: 20270101000000, known: 20261123000005 } },
  "schema.unreadable": { id: "schema.unreadable", params: { error } },
  "disk.ok": { id: "disk.ok", params: { space } },
  "disk.low": { id: "disk.low", params: { space } },
  "disk.full": { id: "disk.full", params: { space, thresholdPercent: 2 } },
  "disk.unmeasured": { id: "disk.unmeasured", params: { at: "/home/u", error, databaseBytes: 1 } },
  "backup.never": { id: "backup.never" },
  "backup.recent": { id: "backup.recent", params: { ageHours: 5 } },
  "backup.old": { id: "backup.old", params: { ageHours: 80 } },
  "keychain.ok": { id: "keychain.ok" },
  "keychain.unreachable": { id: "keychain.unreachable", params: { error: "The Secret Service is not running." } },
  "keychain.stopped": { id: "keychain.stopped", params: { error } },
  "keychain.timeout": { id: "keychain.timeout", params: { seconds: 10 } },
  "keychain.env": { id: "keychain.env", params: { provider: "openai", variable: "OPENAI_API_KEY" } },
  "provider-key.unreadable": { id: "provider-key.unreadable", params: { error } },
  "provider-key.no-default": { id: "provider-key.no-default" },
  "provider-key.not-needed": { id: "provider-key.not-needed", params: { provider: "ollama" } },
  "provider-key.present": { id: "provider-key.present", params: { provider: "anthropic", variable: null } },
  "provider-key.missing": { id: "provider-key.missing", params: { provider: "anthropic" } },
  "budget.unreadable": { id: "budget.unreadable", params: { error } },
  "budget.none": { id: "budget.none" },
  "budget.fine": { id: "budget.fine", params: { count: 2 } },
  "budget.near": {
    id: "budget.near",
    params: { budgets: [{ kind: "used", provider: "openai", state }, { kind: "unreadable", provider: "local", error }] },
  },
  "budget.exhausted": { id: "budget.exhausted", params: { budgets: [{ kind: "used", provider: "anthropic", state }] } },
  "clients.none": { id: "clients.none" },
  "clients.ok": { id: "clients.ok", params: { count: 2 } },
  "clients.broken": {
    id: "clients.broken",
    params: {
      problems: [
        { client: "vscode", problem: { kind: "stale", reason: "the command does not exist (was the app moved or uninstalled?)" } },
        { client: "cursor", problem: invalid("repeated-entry", true) },
        { client: "windsurf", problem: invalid("syntax", false) },
        { client: "claude-desktop", problem: { kind: "entryRemoved" } },
        { client: "zed", problem: { kind: "needsUpdate" } },
      ],
    },
  },
  "logs.clean": { id: "logs.clean", params: { hours: 24 } },
  "logs.errors": { id: "logs.errors", params: { count: 3, hours: 24, latest: "ERROR llmgen_server: usage not recorded" } },
  "logs.not-a-folder": { id: "logs.not-a-folder", params: { path: "/home/u/.local/share/dev.llmgen.desktop/logs" } },
  "logs.unreadable": { id: "logs.unreadable", params: { error } },
  "server.ok": { id: "server.ok", params: { version: "0.1.0", tools: 9, initializeMs: 28, toolsListMs: 0.4 } },
  "server.failed": { id: "server.failed", params: { error: "connection closed" } },
  "server.timeout": { id: "server.timeout", params: { seconds: 20 } },
  "paused.off": { id: "paused.off" },
  "paused.on": { id: "paused.on", params: { since: "2026-12-07T19:30:00Z", by: "tray" } },
  "connections.all": { id: "connections.all" },
  "connections.never": {
    id: "connections.never",
    params: { clients: [{ id: "vscode", name: "VS Code" }, { id: "some-new-app", name: "Some New App" }] },
  },
  other: { id: "other", params: { message: "Something else was found.", fix: "Run `mcp-llm-generator resume`." } },
};

// Every kind of fix, spread over the findings they belong to.
const fixes: Partial<Record<FindingId, Fix[]>> = {
  "database.missing": [{ kind: "steps", step: "startClientOnce" }],
  "database.damaged": [{ kind: "restoreBackup" }],
  "schema.ahead": [{ kind: "steps", step: "updateApp" }],
  "disk.full": [{ kind: "steps", step: "freeDiskSpace" }],
  "backup.old": [{ kind: "backUpNow" }],
  "keychain.timeout": [{ kind: "steps", step: "unlockKeychain" }],
  "provider-key.no-default": [{ kind: "openKeys", provider: null }],
  "provider-key.missing": [{ kind: "openKeys", provider: "anthropic" }],
  "clients.broken": [
    { kind: "repairClientEntries", clients: ["vscode", "cursor", "claude-desktop"] },
    { kind: "openClients", clients: ["windsurf"] },
  ],
  "logs.errors": [{ kind: "openLogs" }],
  "server.failed": [{ kind: "openLogs" }, { kind: "steps", step: "reinstallApp" }],
  "paused.on": [{ kind: "resume" }],
  "connections.never": [
    { kind: "restartClient", client: "vscode", name: "VS Code" },
    { kind: "restartClient", client: "some-new-app", name: "Some New App" },
  ],
};

// Core's command-line words ride along with each check; the card must not show them.
const checks = Object.values(examples).map((finding) => ({
  id: finding.id.split(".")[0],
  level: "warning",
  message: `Run \`mcp-llm-generator health\` for ${finding.id}.`,
  fix: "Run `mcp-llm-generator backup create`.",
  finding,
  fixes: fixes[finding.id] ?? [],
}));

describe("Health with every finding", () => {
  afterEach(() => {
    cleanup();
    setChoice("auto");
  });

  for (const lang of ["en", "ja"] as const) {
    it(`words every finding without a command in ${lang}`, async () => {
      setChoice(lang);
      ipc.healthCheck.mockResolvedValue({ level: "error", checks });
      const { container } = render(Health, { onopen: () => {} });
      await screen.findByTestId("health-level");
      const rows = [...container.querySelectorAll("li[data-finding]")];
      expect(rows.map((r) => r.getAttribute("data-finding")).sort()).toEqual([...FINDING_IDS].sort());
      for (const d of container.querySelectorAll("details")) d.open = true;
      const text = container.textContent ?? "";
      expect(text).not.toMatch(/mcp-llm-generator/);
      expect(text).not.toContain("`");
      // Each finding's first line is its own sentence, never core's.
      for (const row of rows) {
        const said = row.querySelector("span:not(.badge)")?.textContent ?? "";
        expect(said.length, row.getAttribute("data-finding") ?? "").toBeGreaterThan(5);
        if (lang === "ja" && row.getAttribute("data-finding") !== "other") expect(said).toMatch(/[\u3040-\u30ff]/);
      }
      // Figures sit under "Details".
      const schema = rows.find((r) => r.getAttribute("data-finding") === "schema.current");
      expect(schema?.querySelector("details")?.textContent).toContain("20261123000005");
      expect(schema?.querySelector(":scope > span:not(.badge)")?.textContent).not.toContain("20261123000005");
    });
  }

  it("words the live findings: an entry that only needs an update works, a pause is resumed, each waiting app restarted", async () => {
    setChoice("en");
    ipc.healthCheck.mockResolvedValue({ level: "warning", checks });
    ipc.serversResume.mockResolvedValue(true);
    const { container } = render(Health, { onopen: () => {} });
    await screen.findByTestId("health-level");
    const row = (id: string) => container.querySelector(`li[data-finding="${id}"]`)?.textContent ?? "";
    expect(row("clients.broken")).toContain("These AI apps cannot start this server: vscode, cursor, windsurf, claude-desktop.");
    expect(row("clients.broken")).toContain("These AI apps work, but their entry needs an update so this app can tell which one is connected: zed.");
    expect(row("connections.never")).toContain("Set up, but not connected since: VS Code, Some New App.");
    // VS Code's own restart step; the general one for an app this build has no words for.
    expect(row("connections.never")).toContain('In VS Code, run "MCP: List Servers"');
    expect(row("connections.never")).toContain("Restart Some New App so it reads its new settings");
    const resume = [...container.querySelectorAll(`li[data-finding="paused.on"] button`)].find((b) => b.textContent === "Resume");
    expect(resume).toBeTruthy();
    await fireEvent.click(resume as HTMLButtonElement);
    expect(ipc.serversResume).toHaveBeenCalledTimes(1);
    expect(await screen.findByText("Resumed: AI apps can use the servers again.")).toBeTruthy();
  });
});
