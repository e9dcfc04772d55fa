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
}));
vi.mock("./ipc", () => ({
  ...ipc,
  message: (e: unknown) => (e instanceof Error ? e.message : String(e)),
}));

import Clients from "./Clients.svelte";

const base = { recorded: false, upstream_entries: [], restart: "Quit Claude Desktop completely." };
const vscode = { ...base, id: "vscode", name: "VS Code", path: "/h/.config/Code/User/mcp.json", state: "configured", command: "/usr/bin/mcp-llm-generator" };
const claude = { ...base, id: "claude-desktop", name: "Claude Desktop", path: "/h/.config/Claude/claude_desktop_config.json", state: "not-configured" };
const cursor = { ...base, id: "cursor", name: "Cursor", path: "/h/.cursor/mcp.json", state: "invalid-file", line: 3, column: 7, message: "Expected a comma" };
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
