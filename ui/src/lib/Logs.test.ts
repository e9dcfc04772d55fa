// Screen tests of the Logs screen with the IPC mocked: the level filter and Refresh ask the core
// for the right lines, the folder can be opened (or the failure is shown), and an empty or
// unreadable log folder is said in words.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const ipc = vi.hoisted(() => ({
  logsRecent: vi.fn(),
  logsOpenFolder: vi.fn(),
}));
vi.mock("./ipc", () => ({
  ipc,
  message: (e: unknown) => (e instanceof Error ? e.message : String(e)),
}));

import Logs from "./Logs.svelte";

const dir = "/home/u/.local/share/dev.llmgen.desktop/logs";
const info = { time: "2026-11-22T08:00:00Z", level: "info", text: "2026-11-22T08:00:00.000000Z  INFO llmgen_server: serving MCP on stdio" };
const error = {
  time: "2026-11-22T09:00:00Z",
  level: "error",
  text: "2026-11-22T09:00:00.000000Z ERROR llmgen_server: usage not recorded: disk full\n  caused by: ENOSPC",
};

describe("Logs", () => {
  afterEach(cleanup);
  beforeEach(() => {
    for (const f of Object.values(ipc)) f.mockReset();
    ipc.logsRecent.mockImplementation(async (level: string) => ({
      dir,
      lines: level === "error" ? [error] : [info, error],
    }));
  });

  it("reads the newest lines at the chosen level and again on Refresh", async () => {
    render(Logs);
    expect(await screen.findByText(/serving MCP on stdio/)).toBeTruthy();
    expect(ipc.logsRecent).toHaveBeenCalledWith("info", 500);
    await fireEvent.change(screen.getByLabelText("Show"), { target: { value: "error" } });
    await waitFor(() => expect(ipc.logsRecent).toHaveBeenLastCalledWith("error", 500));
    await waitFor(() => expect(screen.queryByText(/serving MCP on stdio/)).toBeNull());
    expect(screen.getByText(/caused by: ENOSPC/)).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Refresh" }));
    await waitFor(() => expect(ipc.logsRecent).toHaveBeenCalledTimes(3));
    expect(ipc.logsRecent).toHaveBeenLastCalledWith("error", 500);
    expect((screen.getByLabelText("Logs folder") as HTMLInputElement).value).toBe(dir);
  });

  it("opens the logs folder and shows why it could not", async () => {
    ipc.logsOpenFolder.mockResolvedValueOnce(dir);
    ipc.logsOpenFolder.mockRejectedValueOnce(
      new Error(`There is no log folder yet at ${dir}: the server creates it the first time an AI client starts it.`),
    );
    render(Logs);
    await fireEvent.click(await screen.findByRole("button", { name: "Open logs folder" }));
    expect(await screen.findByText("Opened in your file manager.")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Open logs folder" }));
    expect((await screen.findByRole("alert")).textContent).toContain("There is no log folder yet");
    expect(ipc.logsOpenFolder).toHaveBeenCalledTimes(2);
  });

  it("says so when there are no lines, and shows a read error", async () => {
    ipc.logsRecent.mockResolvedValueOnce({ dir, lines: [] });
    ipc.logsRecent.mockRejectedValueOnce(new Error(`Cannot read ${dir}: permission denied. Check that it is readable by you.`));
    render(Logs);
    expect(screen.getByText("Reading logs…")).toBeTruthy();
    expect(await screen.findByText(/No log lines at this level/)).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Refresh" }));
    expect((await screen.findByRole("alert")).textContent).toContain("permission denied");
  });
});
