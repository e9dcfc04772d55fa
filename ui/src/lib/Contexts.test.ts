// Screen tests of the Contexts screen with the IPC mocked: pages and search ask the core with the
// right offsets and query, opening a context reads its history, export writes to the path shown
// (or says why it could not), and delete asks first.
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const ipc = vi.hoisted(() => ({
  contextsList: vi.fn(),
  contextsSearch: vi.fn(),
  contextMessages: vi.fn(),
  contextDelete: vi.fn(),
  contextExportPath: vi.fn(),
  contextExport: vi.fn(),
}));
vi.mock("./ipc", () => ({
  ipc,
  message: (e: unknown) => (e instanceof Error ? e.message : String(e)),
}));

import Contexts from "./Contexts.svelte";

const ctx = (id: string, name: string, messageCount = 0) => ({
  id,
  name,
  systemPrompt: "You help.",
  personality: "",
  settings: { temperature: 0.7, maxTokens: 1000, maxHistoryTokens: 15000, expiryDays: 7 },
  createdAt: "2026-11-20T10:00:00Z",
  lastActivityAt: "2026-11-22T10:00:00Z",
  expiresAt: "2026-11-29T10:00:00Z",
  messageCount,
});
const trip = ctx("c-1", "Kyoto trip", 2);
const messages = {
  items: [
    { id: 1, role: "user", content: "Plan a day in Kyoto.", tokenEstimate: 6, createdAt: "2026-11-22T09:59:00Z" },
    { id: 2, role: "assistant", content: "Start at Fushimi Inari.", tokenEstimate: 6, model: "claude", createdAt: "2026-11-22T10:00:00Z" },
  ],
  total: 2,
};

describe("Contexts", () => {
  afterEach(cleanup);
  beforeEach(() => {
    for (const f of Object.values(ipc)) f.mockReset();
    ipc.contextsList.mockResolvedValue({ items: [trip, ctx("c-2", "Budget")], total: 45, nextOffset: 20 });
    ipc.contextMessages.mockResolvedValue(messages);
    ipc.contextExportPath.mockImplementation(async (_id: string, format: string) =>
      format === "json" ? "/home/u/Downloads/Kyoto-trip.json" : "/home/u/Downloads/Kyoto-trip.md",
    );
  });

  it("pages through contexts and searches by name", async () => {
    ipc.contextsSearch.mockResolvedValue({ items: [trip], total: 1 });
    render(Contexts);
    expect(await screen.findByText("1–2 of 45")).toBeTruthy();
    expect(ipc.contextsList).toHaveBeenCalledWith(0, 20);
    await fireEvent.click(screen.getByRole("button", { name: "Older" }));
    await waitFor(() => expect(ipc.contextsList).toHaveBeenLastCalledWith(20, 20));
    await fireEvent.input(screen.getByLabelText("Search by name"), { target: { value: " kyoto " } });
    await fireEvent.click(screen.getByRole("button", { name: "Search" }));
    await waitFor(() => expect(ipc.contextsSearch).toHaveBeenCalledWith("kyoto", 0, 20));
    expect(await screen.findByText("1–1 of 1")).toBeTruthy();
    ipc.contextsSearch.mockResolvedValue({ items: [], total: 0 });
    await fireEvent.input(screen.getByLabelText("Search by name"), { target: { value: "paris" } });
    await fireEvent.click(screen.getByRole("button", { name: "Search" }));
    expect(await screen.findByText("No context name contains “paris”.")).toBeTruthy();
  });

  it("opens a context, shows its history and exports it to the path shown", async () => {
    ipc.contextExport.mockResolvedValueOnce("/home/u/Downloads/Kyoto-trip.json");
    render(Contexts);
    await fireEvent.click(await screen.findByRole("button", { name: "Kyoto trip" }));
    expect(await screen.findByText("Start at Fushimi Inari.")).toBeTruthy();
    expect(ipc.contextMessages).toHaveBeenCalledWith("c-1", 0, 50);
    const form = screen.getByRole("form", { name: "Export" });
    const path = within(form).getByLabelText(/^Save to/) as HTMLInputElement;
    await waitFor(() => expect(path.value).toBe("/home/u/Downloads/Kyoto-trip.md"));
    await fireEvent.change(within(form).getByLabelText("Format"), { target: { value: "json" } });
    await waitFor(() => expect(path.value).toBe("/home/u/Downloads/Kyoto-trip.json"));
    await fireEvent.click(within(form).getByRole("button", { name: "Export" }));
    expect(ipc.contextExport).toHaveBeenCalledWith("c-1", "json", "/home/u/Downloads/Kyoto-trip.json");
    expect(await screen.findByText("Saved to /home/u/Downloads/Kyoto-trip.json")).toBeTruthy();
  });

  it("shows why an export failed", async () => {
    ipc.contextExport.mockRejectedValue(
      new Error("/home/u/Downloads/Kyoto-trip.md already exists and was left as it is. Choose another file name."),
    );
    render(Contexts);
    await fireEvent.click(await screen.findByRole("button", { name: "Kyoto trip" }));
    const form = screen.getByRole("form", { name: "Export" });
    await waitFor(() => expect((within(form).getByLabelText(/^Save to/) as HTMLInputElement).value).not.toBe(""));
    await fireEvent.click(within(form).getByRole("button", { name: "Export" }));
    expect((await screen.findByRole("alert")).textContent).toContain("already exists and was left as it is");
  });

  it("deletes a context only after a confirmation, then lists again", async () => {
    ipc.contextDelete.mockResolvedValue(null);
    render(Contexts);
    await fireEvent.click(await screen.findByRole("button", { name: "Kyoto trip" }));
    await fireEvent.click(await screen.findByRole("button", { name: "Delete…" }));
    expect(ipc.contextDelete).not.toHaveBeenCalled();
    expect(screen.getByText(/and its whole history\? This cannot be undone\./)).toBeTruthy();
    ipc.contextsList.mockResolvedValue({ items: [ctx("c-2", "Budget")], total: 1 });
    await fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    expect(ipc.contextDelete).toHaveBeenCalledWith("c-1");
    expect(await screen.findByText("Deleted “Kyoto trip” and its history.")).toBeTruthy();
    expect(screen.getByText("1–1 of 1")).toBeTruthy();
  });

  it("has designed empty, loading and error states", async () => {
    ipc.contextsList.mockRejectedValueOnce(new Error("Database error: database is locked."));
    render(Contexts);
    expect(screen.getByText("Loading contexts…")).toBeTruthy();
    expect((await screen.findByRole("alert")).textContent).toContain("database is locked");
    ipc.contextsList.mockResolvedValue({ items: [], total: 0 });
    await fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByText(/No conversations yet/)).toBeTruthy();
  });
});
