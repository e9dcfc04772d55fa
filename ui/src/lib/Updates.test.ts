// Screen tests of the Updates card with the IPC mocked: an offered update shows its version and
// notes, installs only after the user confirms, a failure is shown with what to do, and a state
// pushed by the app (a check from the tray or the daily one) replaces what is on screen.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const ipc = vi.hoisted(() => ({
  updateState: vi.fn(),
  updateCheck: vi.fn(),
  updateInstall: vi.fn(),
  updateAutoSet: vi.fn(),
}));
const events = vi.hoisted(() => ({ onUpdateState: vi.fn() }));
vi.mock("./ipc", () => ({
  ipc,
  message: (e: unknown) => (e instanceof Error ? e.message : String(e)),
}));
vi.mock("./updates", () => events);

import Updates from "./Updates.svelte";

const base = { currentVersion: "0.1.0", canCheck: true, autoCheck: true, busy: null, offer: null, lastChecked: null, error: null };
const offered = {
  ...base,
  lastChecked: "2026-11-23T10:00:00Z",
  offer: { version: "0.2.0", notes: "Faster start.\nA new Logs screen.", date: "2026-11-22T00:00:00Z" },
};

let push: ((s: unknown) => void) | null = null;

describe("Updates", () => {
  afterEach(cleanup);
  beforeEach(() => {
    for (const f of [...Object.values(ipc), ...Object.values(events)]) f.mockReset();
    push = null;
    events.onUpdateState.mockImplementation(async (handler: (s: unknown) => void) => {
      push = handler;
      return () => {};
    });
  });

  it("shows the offered version and its notes, and installs only after a confirmation", async () => {
    ipc.updateState.mockResolvedValue(offered);
    ipc.updateInstall.mockResolvedValue({ ...offered, busy: "installing" });
    render(Updates);
    const offer = await screen.findByTestId("update-offer");
    expect(offer.textContent).toContain("Version 0.2.0 is available.");
    expect(offer.textContent).toContain("A new Logs screen.");
    await fireEvent.click(screen.getByRole("button", { name: "Install 0.2.0…" }));
    expect(ipc.updateInstall).not.toHaveBeenCalled();
    expect(screen.getByText(/Install 0.2.0 now\?/)).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Install and restart" }));
    expect(ipc.updateInstall).toHaveBeenCalledTimes(1);
    expect((await screen.findByTestId("update-line")).textContent).toContain("Downloading and installing 0.2.0");
  });

  it("can decline the installation", async () => {
    ipc.updateState.mockResolvedValue(offered);
    render(Updates);
    await fireEvent.click(await screen.findByRole("button", { name: "Install 0.2.0…" }));
    await fireEvent.click(screen.getByRole("button", { name: "Not now" }));
    expect(ipc.updateInstall).not.toHaveBeenCalled();
    expect(screen.getByRole("button", { name: "Install 0.2.0…" })).toBeTruthy();
  });

  it("checks on request and says when the installed version is the latest", async () => {
    ipc.updateState.mockResolvedValue(base);
    ipc.updateCheck.mockResolvedValue({ ...base, lastChecked: "2026-11-23T10:00:00Z" });
    render(Updates);
    expect((await screen.findByTestId("update-line")).textContent).toContain("Not checked for updates yet.");
    await fireEvent.click(screen.getByRole("button", { name: "Check for updates" }));
    await waitFor(() => expect(screen.getByTestId("update-line").textContent).toContain("Version 0.1.0 is the latest"));
    expect(screen.queryByTestId("update-offer")).toBeNull();
  });

  it("shows a failed check with what to do", async () => {
    const sentence = "Could not reach the update server. Check your internet connection and try again later.";
    ipc.updateState.mockResolvedValue({ ...base, error: sentence });
    render(Updates);
    expect((await screen.findByTestId("update-error")).textContent).toBe(sentence);
  });

  it("follows states the app pushes (a check from the tray)", async () => {
    ipc.updateState.mockResolvedValue(base);
    render(Updates);
    await screen.findByTestId("update-line");
    await waitFor(() => expect(push).not.toBeNull());
    push?.({ ...base, busy: "checking" });
    await waitFor(() => expect(screen.getByTestId("update-line").textContent).toContain("Checking for updates…"));
    push?.(offered);
    expect((await screen.findByTestId("update-offer")).textContent).toContain("Version 0.2.0 is available.");
  });

  it("says a build without an update key does not look for updates, and offers no check", async () => {
    ipc.updateState.mockResolvedValue({ ...base, canCheck: false });
    render(Updates);
    expect((await screen.findByTestId("update-line")).textContent).toContain("built without an update key");
    expect(screen.queryByRole("button", { name: "Check for updates" })).toBeNull();
    expect(screen.queryByTestId("update-auto")).toBeNull();
  });

  it("turns automatic checks off", async () => {
    ipc.updateState.mockResolvedValue(base);
    ipc.updateAutoSet.mockResolvedValue({ ...base, autoCheck: false });
    render(Updates);
    const box = (await screen.findByTestId("update-auto")) as HTMLInputElement;
    expect(box.checked).toBe(true);
    await fireEvent.click(box);
    expect(ipc.updateAutoSet).toHaveBeenCalledWith(false);
    await waitFor(() => expect(box.checked).toBe(false));
  });
});
