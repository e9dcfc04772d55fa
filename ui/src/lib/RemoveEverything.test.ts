// Screen tests of Remove everything with the IPC mocked: nothing is removed before the preview is
// confirmed, the data folder is included only when ticked, and failures are shown with their fix.
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const ipc = vi.hoisted(() => ({ removeEverything: vi.fn() }));
vi.mock("./ipc", () => ({
  ipc,
  message: (e: unknown) => (e instanceof Error ? e.message : String(e)),
}));

import RemoveEverything from "./RemoveEverything.svelte";

const plan = (dryRun: boolean, error: string | null = null) => ({
  dryRun,
  clientEntries: [{ what: "vscode", place: "/home/u/.config/Code/User/mcp.json", error: null }],
  keychainItems: [{ what: "provider:anthropic", place: "keychain", error }],
  loginEntry: [{ what: "start at login", place: "start at login (Settings)", error: null }],
  data: [],
  leftInDataFolder: [],
});

describe("RemoveEverything", () => {
  afterEach(cleanup);
  beforeEach(() => ipc.removeEverything.mockReset());

  it("previews first and removes only on confirmation, with the data when ticked", async () => {
    ipc.removeEverything.mockImplementation(async (_data: boolean, dryRun: boolean) => plan(dryRun));
    render(RemoveEverything);
    await fireEvent.click(screen.getByLabelText(/Also delete my data/));
    await fireEvent.click(screen.getByRole("button", { name: "Show what would be removed" }));
    expect((await screen.findByTestId("remove-plan")).textContent).toContain("provider:anthropic");
    expect(ipc.removeEverything).toHaveBeenCalledTimes(1);
    expect(ipc.removeEverything).toHaveBeenLastCalledWith(true, true);
    await fireEvent.click(screen.getByRole("button", { name: "Remove now" }));
    expect(await screen.findByTestId("remove-done")).toBeTruthy();
    expect(ipc.removeEverything).toHaveBeenLastCalledWith(true, false);
  });

  it("says what could not be removed and how to fix it", async () => {
    ipc.removeEverything.mockImplementation(async (_data: boolean, dryRun: boolean) =>
      plan(dryRun, dryRun ? null : "the keychain is locked. Unlock it and run this again."),
    );
    render(RemoveEverything);
    await fireEvent.click(screen.getByRole("button", { name: "Show what would be removed" }));
    await fireEvent.click(await screen.findByRole("button", { name: "Remove now" }));
    expect((await screen.findByRole("alert")).textContent).toContain("Unlock it and run this again");
    expect(ipc.removeEverything).toHaveBeenLastCalledWith(false, false);
  });
});
