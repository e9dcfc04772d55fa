// Screen tests of the Delegations screen with the IPC mocked: the list asks for the newest tasks
// with the filters chosen, pages, and reads again while shown; a task opens in full (choice,
// route, tokens, times, result, conversation); a running task is cancelled only after a
// confirmation and then shows cancelled; a refusal is shown as the core words it. Reads: only
// the latest answer is shown (a slower earlier list, a read that started before a cancel), a
// task that has ended is no longer read, a failed read is said; paging keeps the keyboard focus
// and steps back from a page that has emptied; task numbers are written as the core names them.
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
import DelegationView from "./delegations/DelegationView.svelte";

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
/** A call's answer that the test hands over when it wants. */
function held<T>() {
  let answer!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (answer = resolve));
  return { promise, answer };
}
const statuses = () => screen.queryAllByTestId("delegation-row").map((r) => r.getAttribute("data-status"));
const shownStatus = () => screen.getByTestId("delegation-status").textContent;

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

  it("shows the list for the latest filter when an earlier read answers last", async () => {
    const first = held<unknown>();
    ipc.delegationsList.mockImplementationOnce(() => first.promise);
    ipc.delegationsList.mockResolvedValue(page([running]));
    render(Delegations);
    await waitFor(() => expect(ipc.delegationsList).toHaveBeenCalledTimes(1));
    await fireEvent.change(screen.getByLabelText("Status"), { target: { value: "running" } });
    await waitFor(() => expect(statuses()).toEqual(["running"]));
    first.answer(page([task(3, "pending"), running, done]));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(statuses()).toEqual(["running"]);
  });

  it("keeps the pager's buttons while a page is read, and the focus on the heading when its button goes", async () => {
    ipc.delegationsList.mockResolvedValue(page([running], 41, 20));
    render(Delegations);
    const next = (await screen.findByRole("button", { name: "Next" })) as HTMLButtonElement;
    const reading = held<unknown>();
    ipc.delegationsList.mockImplementationOnce(() => reading.promise);
    next.focus();
    await fireEvent.click(next);
    expect(ipc.delegationsList).toHaveBeenLastCalledWith({ status: null, persona: null, offset: 20, limit: 20 });
    // A disabled button would drop the keyboard focus to the page's body.
    expect(next.disabled).toBe(false);
    expect(document.activeElement).toBe(next);
    reading.answer(page([done], 41, 40));
    expect(await screen.findByText("21–21 of 41")).toBeTruthy();
    expect(document.activeElement).toBe(next);
    // The last page disables Next: the focus goes to the screen's heading.
    ipc.delegationsList.mockResolvedValue(page([task(3, "done")], 41, null));
    await fireEvent.click(next);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("heading", { level: 2 })));
    expect(next.disabled).toBe(true);
  });

  it("steps back to the last page with tasks when its page has emptied", async () => {
    ipc.delegationsList.mockResolvedValueOnce(page([running], 21, 20));
    render(Delegations);
    await fireEvent.click(await screen.findByRole("button", { name: "Next" }));
    // Meanwhile a task left the filter: page 2 is empty and 20 remain.
    ipc.delegationsList.mockImplementation(async (f: { offset: number }) =>
      f.offset === 0 ? page([running, done], 20, null) : page([], 20, null),
    );
    await fireEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByText("1–2 of 20")).toBeTruthy();
    expect(ipc.delegationsList).toHaveBeenLastCalledWith({ status: null, persona: null, offset: 0, limit: 20 });
    expect(statuses()).toEqual(["running", "done"]);
    expect(screen.queryByTestId("delegations-empty")).toBeNull();
  });

  it("says why the persona filter is empty when the personas cannot be read, and lists the tasks", async () => {
    ipc.personasList.mockRejectedValue(new Error("Database error: busy."));
    render(Delegations);
    expect((await screen.findByRole("alert")).textContent).toBe("Could not read the personas to filter by: Database error: busy.");
    expect(statuses()).toEqual(["running", "done"]);
  });

  it("writes a task's number as its conversation is named, without digit grouping", async () => {
    const big = task(1234, "running");
    ipc.delegationsList.mockResolvedValue(page([big]));
    ipc.delegationGet.mockResolvedValue(big);
    render(Delegations);
    const [row] = await screen.findAllByTestId("delegation-row");
    expect(row.textContent).toContain("Task 1234 ·");
    await fireEvent.click(within(row).getByRole("button", { name: /Task number 1234/ }));
    await screen.findByTestId("delegation");
    expect(screen.getByRole("heading", { level: 2 }).textContent).toBe("Task 1234");
    expect(screen.getByText(/conversation of its own, “Task 1234”/)).toBeTruthy();
    await fireEvent.click(screen.getByTestId("delegation-cancel"));
    expect(screen.getByText(/^Cancel task 1234\?/)).toBeTruthy();
  });

  it("reads a running task again every few seconds and stops once it has ended", async () => {
    vi.useFakeTimers();
    render(DelegationView, { id: 2, onback: () => {} });
    await vi.waitFor(() => expect(shownStatus()).toBe("Running"));
    ipc.delegationGet.mockResolvedValue({ ...done, id: 2 });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(ipc.delegationGet).toHaveBeenCalledTimes(2);
    await vi.waitFor(() => expect(shownStatus()).toBe("Done"));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ipc.delegationGet).toHaveBeenCalledTimes(2);
  });

  it("does not let a read that started before a cancel show the task running again", async () => {
    vi.useFakeTimers();
    const cancelled = { ...running, status: "cancelled", error: "Cancelled by the user." };
    render(DelegationView, { id: 2, onback: () => {} });
    await vi.waitFor(() => expect(shownStatus()).toBe("Running"));
    const poll = held<unknown>();
    ipc.delegationGet.mockImplementationOnce(() => poll.promise);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(ipc.delegationGet).toHaveBeenCalledTimes(2);
    const cancelling = held<unknown>();
    ipc.delegationCancel.mockImplementation(() => cancelling.promise);
    await fireEvent.click(screen.getByTestId("delegation-cancel"));
    await fireEvent.click(screen.getByTestId("delegation-cancel-confirm"));
    // No read starts while the cancel is on its way.
    await vi.advanceTimersByTimeAsync(2_000);
    expect(ipc.delegationGet).toHaveBeenCalledTimes(2);
    cancelling.answer(cancelled);
    await vi.waitFor(() => expect(shownStatus()).toBe("Cancelled"));
    poll.answer(running);
    await vi.advanceTimersByTimeAsync(0);
    expect(shownStatus()).toBe("Cancelled");
  });

  it("says when a task cannot be read again, and keeps it as last read", async () => {
    vi.useFakeTimers();
    render(DelegationView, { id: 2, onback: () => {} });
    await vi.waitFor(() => expect(shownStatus()).toBe("Running"));
    ipc.delegationGet.mockRejectedValue(new Error("Database error: busy."));
    await vi.advanceTimersByTimeAsync(2_000);
    const line = await vi.waitFor(() => screen.getByTestId("delegation-refresh-error"));
    expect(line.getAttribute("role")).toBe("status");
    expect(line.textContent).toBe("Could not read the task again (Database error: busy.); shown as last read.");
    expect(shownStatus()).toBe("Running");
    ipc.delegationGet.mockResolvedValue(running);
    await vi.advanceTimersByTimeAsync(2_000);
    await vi.waitFor(() => expect(screen.queryByTestId("delegation-refresh-error")).toBeNull());
  });
});
