// Screen tests of the Clients card with the IPC mocked: what people see for each state, that
// "Add…" shows the exact change before anything is written, and that errors are shown, not lost.
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const ipc = vi.hoisted(() => ({
  clientsList: vi.fn(),
  clientsPreview: vi.fn(),
  clientsConfigure: vi.fn(),
  clientsRemove: vi.fn(),
  clientsRestore: vi.fn(),
  clientsRepair: vi.fn(),
  // The live servers beside the list (LiveServers.test.ts tests them).
  serversList: vi.fn(async () => []),
  serversConnections: vi.fn(async () => []),
  serversPaused: vi.fn(async () => null),
}));
vi.mock("./ipc", () => ({
  ipc,
  message: (e: unknown) => (e instanceof Error ? e.message : String(e)),
}));

import Clients from "./Clients.svelte";

const base = { recorded: false, upstream_entries: [], restart: "Quit Claude Desktop completely." };
const vscode = { ...base, id: "vscode", name: "VS Code", path: "/h/.config/Code/User/mcp.json", state: "configured", command: "/usr/bin/mcp-llm-generator" };
const claude = { ...base, id: "claude-desktop", name: "Claude Desktop", path: "/h/.config/Claude/claude_desktop_config.json", state: "not-configured" };
const cursor = { ...base, id: "cursor", name: "Cursor", path: "/h/.cursor/mcp.json", state: "invalid-file", line: 3, column: 7, message: "Expected a comma", problem: "syntax", fixable: false };
const repeated = "duplicate key \"llm-generator\" in \"mcpServers\" on lines 3 and 6; clients use only the last one, and configuring this client again keeps just that one";
const windsurf = { ...base, id: "windsurf", name: "Windsurf", path: "/h/.codeium/windsurf/mcp_config.json", state: "invalid-file", line: 6, column: 5, message: repeated, problem: "repeated-entry", fixable: true };
const zed = { ...base, id: "zed", name: "Zed", path: "/h/.config/zed/settings.json", state: "not-installed" };

describe("Clients", () => {
  afterEach(cleanup);
  beforeEach(() => {
    for (const f of Object.values(ipc)) f.mockReset();
    ipc.clientsList.mockResolvedValue([vscode, claude, cursor, zed]);
  });

  it("shows each installed client's state and folds the absent ones", async () => {
    render(Clients);
    expect(await screen.findByTestId("client-state-vscode")).toHaveProperty("textContent", "Added");
    expect(screen.getByTestId("client-state-claude-desktop").textContent).toBe("Not added");
    expect(screen.getByText(/Line 3, column 7: Expected a comma/)).toBeTruthy();
    expect(screen.queryByTestId("client-zed")).toBeNull();
    expect(screen.getByText("Not installed here (1)")).toBeTruthy();
  });

  it("previews the diff and writes only after Apply", async () => {
    ipc.clientsPreview.mockResolvedValue({ id: "claude-desktop", path: claude.path, changed: true, diff: "+    \"llm-generator\": {", backup: null, restart: base.restart });
    ipc.clientsConfigure.mockResolvedValue({ id: "claude-desktop", path: claude.path, changed: true, diff: "", backup: "/b", restart: base.restart });
    render(Clients);
    const item = await screen.findByTestId("client-claude-desktop");
    await fireEvent.click(within(item).getByRole("button", { name: "Add…" }));
    expect(await screen.findByLabelText("Change to Claude Desktop")).toHaveProperty("textContent", "+    \"llm-generator\": {");
    expect(ipc.clientsConfigure).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByRole("button", { name: "Apply" }));
    await waitFor(() => expect(ipc.clientsConfigure).toHaveBeenCalledWith("claude-desktop"));
    expect(await screen.findByText(/Added\. Quit Claude Desktop completely\./)).toBeTruthy();
  });

  it("offers Fix for our entry written twice, and nothing for a file that cannot be parsed", async () => {
    // Proves: the core's `fixable` decides: the repeated entry gets an enabled "Fix…" that
    // previews the change and configures only after Apply; the unparseable file keeps "Add…"
    // disabled, no "Fix…", and its "fix by hand" sentence.
    ipc.clientsList.mockResolvedValue([cursor, windsurf]);
    ipc.clientsPreview.mockResolvedValue({ id: "windsurf", path: windsurf.path, changed: true, diff: "-    \"llm-generator\": { \"command\": \"/old\" },", backup: null, restart: "Press refresh." });
    ipc.clientsConfigure.mockResolvedValue({ id: "windsurf", path: windsurf.path, changed: true, diff: "", backup: "/b", restart: "Press refresh." });
    render(Clients);

    const broken = await screen.findByTestId("client-cursor");
    expect(within(broken).queryByRole("button", { name: "Fix…" })).toBeNull();
    expect(within(broken).getByRole("button", { name: "Add…" })).toHaveProperty("disabled", true);
    expect(within(broken).getByText(/Fix the file by hand/)).toBeTruthy();

    const twice = screen.getByTestId("client-windsurf");
    expect(within(twice).queryByRole("button", { name: "Add…" })).toBeNull();
    expect(within(twice).queryByText(/Fix the file by hand/)).toBeNull();
    expect(within(twice).getByText(/on lines 3 and 6/)).toBeTruthy();
    const fix = within(twice).getByRole("button", { name: "Fix…" });
    expect(fix).toHaveProperty("disabled", false);
    await fireEvent.click(fix);
    await waitFor(() => expect(ipc.clientsPreview).toHaveBeenCalledWith("windsurf"));
    expect(await screen.findByLabelText("Change to Windsurf")).toHaveProperty("textContent", "-    \"llm-generator\": { \"command\": \"/old\" },");
    expect(ipc.clientsConfigure).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByRole("button", { name: "Apply" }));
    await waitFor(() => expect(ipc.clientsConfigure).toHaveBeenCalledWith("windsurf"));
    expect(await screen.findByText(/Fixed: the entry is there once now\. Press refresh\./)).toBeTruthy();
  });

  it("shows a failed action's sentence", async () => {
    ipc.clientsRepair.mockRejectedValue(new Error("The folder /h/.cursor is read-only."));
    render(Clients);
    await fireEvent.click(await screen.findByRole("button", { name: "Repair entries" }));
    expect(await screen.findByText("The folder /h/.cursor is read-only.")).toBeTruthy();
  });

  it("says so when no client is installed", async () => {
    ipc.clientsList.mockResolvedValue([zed]);
    render(Clients);
    expect(await screen.findByText(/No supported AI client is installed/)).toBeTruthy();
  });
});
