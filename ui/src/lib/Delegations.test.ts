// Screen tests of the Delegations screen with the IPC mocked: the list asks for the newest tasks
// with the filters chosen, pages, and reads again while shown; a task opens in full (choice,
// route, tokens, times, result, conversation); a running task is cancelled only after a
// confirmation and then shows cancelled; a refusal is shown as the core words it.
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const ipc = vi.hoisted(() => ({
  delegationsList: vi.fn(),
  delegationGet: vi.fn(),
  delegationCancel: vi.fn(),
  personasList: vi.fn(),
}));
vi.mock("./ipc", () => ({
  ipc,
  message: (e: unknown) => (e instanceof Error ? e.message : String(e)),
}));

import Delegations from "./Delegations.svelte";

const task = (id: number, status: string, extra: Record<string, unknown> = {}) => ({
  id,
  from: null,
  to: "writer",
  kind: "task",
  task: `Task number ${id}: write <b>a haiku</b>.`,
  expertise: ["poems"],
  priority: "normal",
  status,
  choice: {
    persona: "writer",
    reason: "'writer' has the most of the asked expertise (poems).",
    ties: ["poet"],
    candidates: [
      { name: "writer", matched: ["poems"], distance: 1 },
      { name: "poet", matched: ["poems"], distance: 1 },
    ],
  },
  contextId: "ctx-7",
  result: null,
  error: null,
  route: null,
  model: null,
  inputTokens: null,
  outputTokens: null,
  createdAt: "2026-12-08T00:10:00.000000Z",
  startedAt: null,
  finishedAt: null,
  ...extra,
});
const done = task(1, "done", {
  result: "An old pond…",
  route: "ollama",
  model: "llama3",
  inputTokens: 1200,
  outputTokens: 80,
  startedAt: "2026-12-08T00:10:00.000000Z",
  finishedAt: "2026-12-08T00:10:02.500000Z",
});
const running = task(2, "running", { from: "lead", priority: "urgent", startedAt: "2026-12-08T00:11:00.000000Z" });
const page = (items: unknown[], total = items.length, nextOffset: number | null = null) => ({ items, total, nextOffset });

describe("Delegations", () => {
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });
  beforeEach(() => {
    for (const f of Object.values(ipc)) f.mockReset();
    ipc.personasList.mockResolvedValue({ items: [{ name: "lead" }, { name: "writer" }], builtins: [] });
    ipc.delegationsList.mockResolvedValue(page([running, done]));
    ipc.delegationGet.mockImplementation(async (id: number) => (id === 1 ? done : running));
  });

  it("lists the newest tasks with their status, asks again with each filter, and pages", async () => {
    render(Delegations);
    const rows = await screen.findAllByTestId("delegation-row");
    expect(rows.map((r) => r.getAttribute("data-status"))).toEqual(["running", "done"]);
    expect(rows[0].textContent).toContain("Running");
    expect(rows[0].textContent).toContain("lead → writer");
    expect(rows[0].textContent).toContain("Urgent priority");
    // A task is text, never HTML.
    expect(rows[0].querySelector("b")).toBeNull();
    expect(ipc.delegationsList).toHaveBeenLastCalledWith({ status: null, persona: null, offset: 0, limit: 20 });

    await fireEvent.change(screen.getByLabelText("Status"), { target: { value: "running" } });
    expect(ipc.delegationsList).toHaveBeenLastCalledWith({ status: "running", persona: null, offset: 0, limit: 20 });
    await waitFor(() => expect(screen.getByRole("option", { name: "writer" })).toBeTruthy());
    await fireEvent.change(screen.getByLabelText(/^Persona/), { target: { value: "writer" } });
    expect(ipc.delegationsList).toHaveBeenLastCalledWith({ status: "running", persona: "writer", offset: 0, limit: 20 });

    ipc.delegationsList.mockResolvedValue(page([running], 25, 20));
    await fireEvent.click(screen.getByRole("button", { name: "Clear the filters" }));
    expect(await screen.findByText("1–1 of 25")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(ipc.delegationsList).toHaveBeenLastCalledWith({ status: null, persona: null, offset: 20, limit: 20 });
  });

  it("says when there are none, and when none match the filters", async () => {
    ipc.delegationsList.mockResolvedValue(page([]));
    render(Delegations);
    expect((await screen.findByTestId("delegations-empty")).textContent).toContain("No delegations yet.");
    await fireEvent.change(screen.getByLabelText("Status"), { target: { value: "failed" } });
    await waitFor(() => expect(screen.getByTestId("delegations-empty").textContent).toBe("No delegation matches these filters."));
  });

  it("reads the list again every few seconds while shown, and stops when gone", async () => {
    vi.useFakeTimers();
    const view = render(Delegations);
    await vi.waitFor(() => expect(ipc.delegationsList).toHaveBeenCalledTimes(1));
    ipc.delegationsList.mockResolvedValue(page([task(3, "pending"), running, done]));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(ipc.delegationsList).toHaveBeenCalledTimes(2);
    await vi.waitFor(() => expect(screen.getAllByTestId("delegation-row")).toHaveLength(3));
    view.unmount();
    await vi.advanceTimersByTimeAsync(15_000);
    expect(ipc.delegationsList).toHaveBeenCalledTimes(2);
  });

  it("opens a finished task in full", async () => {
    render(Delegations);
    const rows = await screen.findAllByTestId("delegation-row");
    await fireEvent.click(within(rows[1]).getByRole("button", { name: /Task number 1/ }));
    expect(await screen.findByTestId("delegation-result")).toBeTruthy();
    expect(ipc.delegationGet).toHaveBeenCalledWith(1);
    expect(screen.getByRole("heading", { level: 2 }).textContent).toBe("Task 1");
    expect(screen.getByTestId("delegation-status").textContent).toBe("Done");
    expect(screen.getByTestId("delegation-result").textContent).toBe("An old pond…");
    expect(screen.getByTestId("delegation-reason").textContent).toContain("most of the asked expertise");
    expect(screen.getByText("Tied with: poet")).toBeTruthy();
    expect(screen.getByRole("table", { name: "Personas considered" }).querySelectorAll("tbody tr")).toHaveLength(2);
    expect(screen.getByTestId("delegation-route").textContent).toBe("ollama");
    expect(screen.getByText("1,200 in, 80 out")).toBeTruthy();
    expect(screen.getByText("2.5 s")).toBeTruthy();
    expect(screen.getByTestId("delegation-context").textContent).toBe("ctx-7");
    // A finished task cannot be cancelled.
    expect(screen.queryByTestId("delegation-cancel")).toBeNull();
    await fireEvent.click(screen.getByTestId("delegation-back"));
    expect(await screen.findAllByTestId("delegation-row")).toHaveLength(2);
  });

  it("cancels a running task only after a confirmation, then shows it cancelled", async () => {
    const cancelled = { ...running, status: "cancelled", error: "Cancelled by the user.", finishedAt: "2026-12-08T00:12:00.000000Z" };
    ipc.delegationCancel.mockResolvedValue(cancelled);
    render(Delegations);
    const rows = await screen.findAllByTestId("delegation-row");
    await fireEvent.click(within(rows[0]).getByRole("button", { name: /Task number 2/ }));
    await fireEvent.click(await screen.findByTestId("delegation-cancel"));
    expect(ipc.delegationCancel).not.toHaveBeenCalled();
    expect(screen.getByText(/Cancel task 2\? The AI app running it stops/)).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Keep it" }));
    await fireEvent.click(screen.getByTestId("delegation-cancel"));
    await fireEvent.click(screen.getByTestId("delegation-cancel-confirm"));
    expect(ipc.delegationCancel).toHaveBeenCalledWith(2);
    const status = await screen.findByRole("status");
    expect(status.textContent).toBe("Task 2 was cancelled.");
    expect(document.activeElement).toBe(status);
    expect(screen.getByTestId("delegation-status").textContent).toBe("Cancelled");
    expect(screen.getByTestId("delegation-error").textContent).toBe("Cancelled by the user.");
    expect(screen.queryByTestId("delegation-cancel")).toBeNull();
  });

  it("shows the core's refusal when the task ended meanwhile, and the task as it is now", async () => {
    const refusal = "Delegation 2 has already ended (done); there is nothing to cancel.";
    ipc.delegationCancel.mockRejectedValue(new Error(refusal));
    render(Delegations);
    const rows = await screen.findAllByTestId("delegation-row");
    await fireEvent.click(within(rows[0]).getByRole("button", { name: /Task number 2/ }));
    ipc.delegationGet.mockResolvedValue({ ...running, status: "done", result: "Done anyway." });
    await fireEvent.click(await screen.findByTestId("delegation-cancel"));
    await fireEvent.click(screen.getByTestId("delegation-cancel-confirm"));
    expect((await screen.findByRole("alert")).textContent).toBe(refusal);
    expect(screen.getByTestId("delegation-status").textContent).toBe("Done");
  });
});
