// The live servers on the AI apps screen with the IPC mocked: the apps connected now and when
// each app set up here was last used, an empty state that says what to do, and the emergency
// stop, which asks first, then shows what it did, and Resume, which ends the pause.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const ipc = vi.hoisted(() => ({
  serversList: vi.fn(),
  serversConnections: vi.fn(),
  serversPaused: vi.fn(),
  serversStopAll: vi.fn(),
  serversResume: vi.fn(),
}));
vi.mock("./ipc", () => ({ ipc, message: (e: unknown) => (e instanceof Error ? e.message : String(e)) }));

import LiveServers from "./LiveServers.svelte";
import type { ClientStatus } from "./ipc";
import { formatDate, setChoice } from "./i18n.svelte";

const client = (id: string, name: string, configured = true): ClientStatus => {
  const base = { id, name, path: `/h/${id}.json`, recorded: true, upstream_entries: [], restart: "" };
  return configured ? { ...base, state: "configured", command: "/usr/bin/mcp-llm-generator" } : { ...base, state: "not-configured" };
};
const clients = [client("vscode", "VS Code"), client("claude-desktop", "Claude Desktop"), client("cursor", "Cursor", false)];
const server = {
  pid: 4242,
  processStart: 1,
  startedAt: "2026-12-07T18:00:00Z",
  dataDir: "/d",
  clientId: "vscode",
  appName: "VS Code",
  clientName: "Visual Studio Code",
  clientVersion: "1.100",
  sampling: true,
  lastCallAt: "2026-12-07T19:10:00Z",
  version: "0.1.0",
};
const paused = { since: "2026-12-07T19:30:00Z", by: "app" };

describe("LiveServers", () => {
  afterEach(cleanup);
  beforeEach(() => {
    setChoice("en");
    for (const f of Object.values(ipc)) f.mockReset();
    ipc.serversList.mockResolvedValue([server]);
    ipc.serversConnections.mockResolvedValue([
      { clientId: "vscode", appName: "VS Code", lastConnectedAt: "2026-12-07T18:00:00Z", clientName: "Visual Studio Code", clientVersion: "1.100", sampling: true },
    ]);
    ipc.serversPaused.mockResolvedValue(null);
  });

  it("lists the apps connected now and when each app set up here was last used", async () => {
    render(LiveServers, { clients });
    const row = await screen.findByTestId("live-4242");
    expect(row.textContent).toContain("VS Code");
    expect(row.textContent).toContain(`since ${formatDate(server.startedAt)}`);
    expect(row.textContent).toContain(`last call ${formatDate(server.lastCallAt)}`);
    expect(row.textContent).toContain("lends its model");
    expect(screen.getByTestId("used-vscode").textContent).toContain(`last used ${formatDate("2026-12-07T18:00:00Z")}`);
    expect(screen.getByTestId("used-claude-desktop").textContent).toContain("not used since it was set up: restart it");
    // An app without our entry has nothing to have been used by.
    expect(screen.queryByTestId("used-cursor")).toBeNull();
  });

  it("says what to do when no app is connected", async () => {
    ipc.serversList.mockResolvedValue([]);
    render(LiveServers, { clients: [] });
    expect((await screen.findByTestId("live-none")).textContent).toContain("Start one of your AI apps");
    expect(screen.getByText("No AI app is set up yet: add one above.")).toBeTruthy();
  });

  it("asks before stopping all servers, then shows what was stopped and the backup", async () => {
    ipc.serversStopAll.mockResolvedValue({
      servers: [{ server, outcome: "stopped", error: null }],
      paused,
      checkpointed: true,
      backup: "/d/backups/llmgen-emergency.db",
      problems: [],
    });
    render(LiveServers, { clients });
    await fireEvent.click(await screen.findByRole("button", { name: "Stop all servers…" }));
    expect(ipc.serversStopAll).not.toHaveBeenCalled();
    expect(screen.getByRole("alert").textContent).toContain("a backup is taken");
    expect(screen.getByRole("alert").textContent).toContain("Until you choose Resume");
    // Cancel leaves everything running.
    await fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(ipc.serversStopAll).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByRole("button", { name: "Stop all servers…" }));
    ipc.serversList.mockResolvedValue([]);
    ipc.serversPaused.mockResolvedValue(paused);
    await fireEvent.click(screen.getByRole("button", { name: "Stop all servers" }));
    expect(ipc.serversStopAll).toHaveBeenCalledTimes(1);
    const report = await screen.findByTestId("live-report");
    expect(report.textContent).toContain("Stopped 1 server.");
    expect(report.textContent).toContain("Backup: /d/backups/llmgen-emergency.db");
    expect(await screen.findByTestId("live-paused")).toBeTruthy();
  });

  it("resumes, and the paused state goes", async () => {
    ipc.serversPaused.mockResolvedValue(paused);
    ipc.serversResume.mockResolvedValue(true);
    render(LiveServers, { clients });
    expect((await screen.findByTestId("live-paused")).textContent).toContain("The servers are paused since");
    ipc.serversPaused.mockResolvedValue(null);
    await fireEvent.click(screen.getByRole("button", { name: "Resume" }));
    expect(ipc.serversResume).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(screen.queryByTestId("live-paused")).toBeNull());
    expect(screen.getByText("Resumed: AI apps can use the servers again.")).toBeTruthy();
  });
});
