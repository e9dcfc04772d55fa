// Screen tests of Moving in with the IPC mocked: the folder found is suggested, Preview runs a dry
// run and Import only after it, the outcome of each item is listed, old client entries are
// replaced on request, and core's refusal is shown.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const ipc = vi.hoisted(() => ({
  movingInScan: vi.fn(),
  movingInImport: vi.fn(),
  movingInReplaceEntries: vi.fn(),
}));
vi.mock("./ipc", () => ({
  ipc,
  message: (e: unknown) => (e instanceof Error ? e.message : String(e)),
}));

import MovingIn from "./MovingIn.svelte";

const report = (dryRun: boolean) => ({
  sourceDir: "/home/u",
  dryRun,
  items: [
    { kind: "template", source: "meeting-notes", name: "meeting-notes", outcome: "imported" },
    { kind: "context", source: "Old chat (c2)", outcome: "skipped", note: "expired in the old server" },
  ],
});

describe("MovingIn", () => {
  afterEach(cleanup);
  beforeEach(() => {
    for (const f of Object.values(ipc)) f.mockReset();
    ipc.movingInScan.mockResolvedValue({ suggestedDir: "/home/u", clients: [{ id: "cursor", name: "Cursor", entries: ["sampler"] }] });
  });

  it("previews, then imports from the suggested folder and lists each outcome", async () => {
    ipc.movingInImport.mockImplementation(async (_dir: string, dryRun: boolean) => report(dryRun));
    render(MovingIn);
    const field = (await screen.findByLabelText("Folder the old server ran in")) as HTMLInputElement;
    await waitFor(() => expect(field.value).toBe("/home/u"));
    expect((screen.getByRole("button", { name: "Import" }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByRole("button", { name: "Preview" }));
    expect((await screen.findByTestId("import-preview")).textContent).toContain("bring 1 item(s) and skip 1");
    expect(ipc.movingInImport).toHaveBeenLastCalledWith("/home/u", true, false);
    expect(screen.getByText(/expired in the old server/)).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Import" }));
    expect((await screen.findByTestId("import-result")).textContent).toContain("Imported 1 item(s)");
    expect(ipc.movingInImport).toHaveBeenLastCalledWith("/home/u", false, false);
  });

  it("replaces old client entries and shows core's refusal of a folder", async () => {
    ipc.movingInReplaceEntries.mockResolvedValue([{ change: { id: "cursor" }, error: null }]);
    ipc.movingInImport.mockRejectedValue(new Error("No data of the TypeScript server in /tmp/x"));
    render(MovingIn);
    expect(await screen.findByText("Cursor: sampler")).toBeTruthy();
    ipc.movingInScan.mockResolvedValue({ suggestedDir: "/home/u", clients: [] });
    await fireEvent.click(screen.getByRole("button", { name: "Replace with this app" }));
    expect((await screen.findByTestId("no-old-entries")).textContent).toContain("Replaced in 1 file(s)");
    const field = screen.getByLabelText("Folder the old server ran in");
    await fireEvent.input(field, { target: { value: "/tmp/x" } });
    await fireEvent.click(screen.getByRole("button", { name: "Preview" }));
    expect((await screen.findByRole("alert")).textContent).toContain("No data of the TypeScript server");
  });
});
