// What the usage charts show, as data and as words: the series per provider for the chosen
// measure, the sentences that say what a chart shows (for screen readers, and for anyone who
// would rather read), and the numbers as people write them. No Chart.js here: that is chart.ts,
// loaded only when a chart is on screen.
import type { Ipc } from "../ipc";
import { current, formatNumber, t } from "../i18n.svelte";

export type UsageHistory = Awaited<ReturnType<Ipc["usageHistory"]>>;
export type UsageDays = UsageHistory["usage"];
export type ToolDay = UsageHistory["tools"][number];
type DayUsage = UsageDays["providers"][number]["days"][number];

/** What the usage chart counts. */
export type Measure = "tokens" | "calls" | "cost";
export const MEASURES: readonly Measure[] = ["tokens", "calls", "cost"];

const valueOf: Record<Measure, (d: DayUsage) => number> = {
  tokens: (d) => d.inputTokens + d.outputTokens,
  calls: (d) => d.calls,
  cost: (d) => d.cost ?? 0,
};

/** One provider's values, aligned with the days. */
export type Series = { name: string; values: number[] };

export function seriesOf(usage: UsageDays, measure: Measure): Series[] {
  return usage.providers.map((p) => ({ name: p.provider, values: p.days.map(valueOf[measure]) }));
}

/** An amount of `measure` as people read it ("1,234 tokens", "3 calls", "0.42"). */
export function amount(measure: Measure, n: number): string {
  if (measure === "tokens") return t("keys.tokens", { count: n });
  if (measure === "calls") return t("keys.calls", { count: n });
  return formatCost(n);
}

/** Money in the prices' own currency (which the app does not know): two decimals. */
export function formatCost(n: number): string {
  return new Intl.NumberFormat(current(), { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n);
}

/** A `YYYY-MM-DD` day (UTC) as a short date of the language shown ("Dec 7", "12月7日"). */
export function formatDay(day: string): string {
  return new Intl.DateTimeFormat(current(), { month: "short", day: "numeric", timeZone: "UTC" }).format(
    new Date(`${day}T00:00:00Z`),
  );
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Whether any provider was called in the range. */
export const hasUsage = (usage: UsageDays): boolean =>
  usage.providers.some((p) => p.days.some((d) => d.calls > 0));

/** What the usage chart shows, in one sentence: the total, the busiest day, each provider. */
export function usageSummary(usage: UsageDays, measure: Measure): string {
  const series = seriesOf(usage, measure);
  const perDay = usage.days.map((_, i) => sum(series.map((s) => s.values[i])));
  const busiest = perDay.reduce((best, v, i) => (v > perDay[best] ? i : best), 0);
  return t("usage.summary", {
    total: amount(measure, sum(perDay)),
    day: formatDay(usage.days[busiest]),
    value: amount(measure, perDay[busiest]),
    providers: series.map((s) => `${s.name} ${amount(measure, sum(s.values))}`).join(", "),
  });
}

/** Whether any tool call was counted in the range. */
export const hasToolCalls = (days: ToolDay[]): boolean => days.some((d) => d.calls > 0);

/** Milliseconds as the tables show them (no more than one decimal). */
export const formatMs = (ms: number): string =>
  new Intl.NumberFormat(current(), { maximumFractionDigits: ms < 10 ? 1 : 0 }).format(ms);

/** What the tool-call chart shows: calls, errors and their share, and the slowest day (p95). */
export function toolSummary(days: ToolDay[]): string {
  const calls = sum(days.map((d) => d.calls));
  const errors = sum(days.map((d) => d.errors));
  const rate = calls ? new Intl.NumberFormat(current(), { maximumFractionDigits: 1 }).format((errors / calls) * 100) : "0";
  const slowest = days.reduce<ToolDay | null>(
    (worst, d) => (d.p95Ms !== null && (worst === null || d.p95Ms > (worst.p95Ms ?? 0)) ? d : worst),
    null,
  );
  const common = { calls: t("keys.calls", { count: calls }), errors: formatNumber(errors), rate };
  return slowest?.p95Ms != null
    ? t("tools.summary", { ...common, day: formatDay(slowest.day), ms: formatMs(slowest.p95Ms) })
    : t("tools.summaryNoLatency", common);
}
