// The overview with the IPC and the shell mocked: a short answer to "does it work, and what is
// there to do", each with the button that leads to the screen that does it; paths and counts
// only under "Details".
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const ipc = vi.hoisted(() => ({
  healthCheck: vi.fn(),
  clientsList: vi.fn(),
  movingInScan: vi.fn(),
  serversPaused: vi.fn(),
  serversList: vi.fn(),
  serversResume: vi.fn(),
}));
vi.mock("./ipc", () => ({ ipc, message: (e: unknown) => (e instanceof Error ? e.message : String(e)) }));
const app = vi.hoisted(() => ({
  go: vi.fn(),
  status: {
    version: "0.1.0",
    dataDir: "/home/u/.local/share/dev.llmgen.desktop",
    serverBinary: "/usr/bin/mcp-llm-generator",
    counts: { templates: 4, personas: 6, contexts: 2 },
  },
  providers: { providers: [{ usage: { calls: 2, inputTokens: 10, outputTokens: 5 } }] },
}));
vi.mock("./shell", () => ({ shell: () => app }));

import Overview from "./Overview.svelte";
import { setChoice } from "./i18n.svelte";

const check = (id: string, level: string) => ({ id, level, message: `${id} says ${level}` });

describe("Overview", () => {
  afterEach(cleanup);
  beforeEach(() => {
    setChoice("en");
    app.go.mockReset();
    ipc.healthCheck.mockResolvedValue({
      level: "warning",
      checks: [check("backup", "warning"), check("keys", "warning"), check("database", "ok")],
    });
    ipc.clientsList.mockResolvedValue([{ id: "vscode", state: "not-configured" }]);
    ipc.movingInScan.mockResolvedValue({ suggestedDir: null, clients: [] });
    ipc.serversPaused.mockResolvedValue(null);
    ipc.serversList.mockResolvedValue([]);
  });

  it("says how many things need doing and where to do them", async () => {
    render(Overview);
    expect(await screen.findByText("2 things need doing.")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "See what to do" }));
    expect(app.go).toHaveBeenLastCalledWith("health");

    expect(await screen.findByText("No AI app uses this server yet: add it to one.")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Open AI apps" }));
    expect(app.go).toHaveBeenLastCalledWith("clients");

    expect(screen.getByText("This month: 2 calls, 15 tokens")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Open usage" }));
    expect(app.go).toHaveBeenLastCalledWith("usage");
    // Nothing of core's own sentences here: they are on the Health screen.
    expect(screen.queryByText(/says warning/)).toBeNull();
  });

  it("says all is well without a button when it is, and keeps paths and counts under Details", async () => {
    ipc.healthCheck.mockResolvedValue({ level: "ok", checks: [check("database", "ok")] });
    ipc.clientsList.mockResolvedValue([{ id: "vscode", state: "configured" }, { id: "cursor", state: "not-installed" }]);
    render(Overview);
    expect(await screen.findByText("Everything works.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "See what to do" })).toBeNull();
    expect(await screen.findByText("1 AI app uses this server.")).toBeTruthy();
    const details = screen.getByText("Details").closest("details");
    expect(details?.open).toBe(false);
    expect(details?.textContent).toContain("/home/u/.local/share/dev.llmgen.desktop");
    expect(details?.textContent).toContain("/usr/bin/mcp-llm-generator");
    expect(screen.getByTestId("count-personas").textContent).toBe("6");
  });

  it("offers moving in when the old server is found, on the Settings screen", async () => {
    ipc.movingInScan.mockResolvedValue({ suggestedDir: "/home/u", clients: [] });
    render(Overview);
    await fireEvent.click(await screen.findByRole("button", { name: "Move in" }));
    expect(app.go).toHaveBeenLastCalledWith("settings", "moving-title");
  });

  it("says so when the health check cannot run", async () => {
    ipc.healthCheck.mockRejectedValue(new Error("the data folder is not writable"));
    render(Overview);
    expect(
      await screen.findByText("The health check could not run: the data folder is not writable"),
    ).toBeTruthy();
  });

  it("shows the paused state above all else, and Resume ends it", async () => {
    // Proves: after Stop all servers the first thing on the screen says so, with a Resume
    // button that resumes through the IPC and takes the banner away.
    ipc.serversPaused.mockResolvedValue({ since: "2026-12-07T19:30:00Z", by: "tray" });
    ipc.serversResume.mockResolvedValue(true);
    render(Overview);
    const banner = await screen.findByTestId("overview-paused");
    expect(banner.textContent).toContain("The servers are paused since");
    await fireEvent.click(screen.getByRole("button", { name: "Resume" }));
    expect(ipc.serversResume).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(screen.queryByTestId("overview-paused")).toBeNull());
  });

  it("says how many AI apps are connected now, one per app", async () => {
    const server = (pid: number, clientId: string | null, clientName: string | null) => ({ pid, clientId, clientName });
    // Two servers of VS Code, one of a client started by hand, one whose client is not known yet.
    ipc.serversList.mockResolvedValue([
      server(1, "vscode", "Visual Studio Code"),
      server(2, "vscode", null),
      server(3, null, "claude-ai"),
      server(4, null, null),
    ]);
    render(Overview);
    expect(await screen.findByText("2 AI apps are connected now.")).toBeTruthy();
    expect(screen.queryByTestId("overview-paused")).toBeNull();
  });

  it("says when none is connected", async () => {
    render(Overview);
    expect(await screen.findByText("No AI app is connected now.")).toBeTruthy();
  });
});
