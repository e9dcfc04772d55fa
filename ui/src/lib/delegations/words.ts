// The words of a delegated task on the Delegations screen: its status, who asked whom, how long
// it took and the tokens it used, in the language shown. A value this build has no word for (a
// newer core) is shown as it is.
import { formatNumber, t, word } from "../i18n.svelte";
import type { Delegation, DelegationStatus } from "../ipc";

/** Every status, in the order a task goes through them (the status filter's order). */
export const STATUSES: readonly DelegationStatus[] = ["pending", "running", "done", "failed", "cancelled"];

/** Whether the task has not ended: it can be cancelled, and its record still changes. */
export const isActive = (status: DelegationStatus): boolean => status === "pending" || status === "running";

export const statusName = (status: DelegationStatus): string => word("delegations.status", status);

/** The task's number as its conversation is named ("Task 1234"): a string, so the number is
 * never written with the language's digit grouping ("Task 1,234") as t() writes numbers. */
export const taskNumber = (id: number): string => String(id);

/** "Task 1234", the task's heading. */
export const taskHeading = (id: number): string => t("delegations.heading", { id: taskNumber(id) });

/** Who delegated: a persona by its name, or the user. */
export const who = (from: string | null): string => from ?? t("delegations.you");

/** "You → writer". */
export const fromTo = (d: Pick<Delegation, "from" | "to">): string => t("delegations.fromTo", { from: who(d.from), to: d.to });

/** The core's times carry microseconds; a millisecond is what every engine's parser takes. */
const time = (iso: string): number => Date.parse(iso.replace(/(\.\d{3})\d+/, "$1"));

/** How long the model worked on it ("12.5 s"), once it has started and ended; null before. */
export function took(d: Pick<Delegation, "startedAt" | "finishedAt">): string | null {
  if (!d.startedAt || !d.finishedAt) return null;
  const ms = time(d.finishedAt) - time(d.startedAt);
  if (!Number.isFinite(ms) || ms < 0) return null;
  return t("delegations.seconds", { seconds: Math.round(ms / 100) / 10 });
}

/** "1,200 in, 80 out", or that the route reported none (sampling clients report none). */
export function tokens(d: Pick<Delegation, "inputTokens" | "outputTokens">): string {
  if (d.inputTokens == null && d.outputTokens == null) return t("delegations.notReported");
  return t("delegations.tokensValue", { input: formatNumber(d.inputTokens ?? 0), output: formatNumber(d.outputTokens ?? 0) });
}
