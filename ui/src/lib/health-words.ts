// The Health card's words for a finding of core's health check: one sentence from its id and
// parameters, the words of each fix, and the details (paths, versions, timings) as label and value.
// Never the command line's text, which names commands. The maps are keyed by every finding id and
// fix kind of the bindings, so a new one does not type-check until it has words here.
import type { Health } from "./ipc";
import { formatNumber, t, word } from "./i18n.svelte";
import type { ScreenId } from "./shell";

export type Check = Health["checks"][number];
export type Finding = Check["finding"];
export type FindingId = Finding["id"];
export type Fix = NonNullable<Check["fixes"]>[number];

const list = (names: string[]) => names.join(", ");

const age = (hours: number) =>
  hours >= 48 ? t("health.age.days", { count: Math.floor(hours / 24) }) : t("health.age.hours", { count: Math.max(hours, 0) });

/** Bytes in a unit people read (1.5 GiB). */
export function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let unit = 0;
  while (v >= 1024 && unit < units.length - 1) {
    v /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${formatNumber(n)} B` : `${new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format(v)} ${units[unit]}`;
}

type Disk = Extract<Finding, { id: "disk.ok" }>["params"]["space"];
const disk = (s: Disk) => ({ free: bytes(s.availableBytes), percent: (s.freePercent ?? 0).toFixed(1) });
type Budgets = Extract<Finding, { id: "budget.near" }>["params"]["budgets"];
const providers = (b: Budgets) => list(b.map((n) => n.provider));

type Problems = Extract<Finding, { id: "clients.broken" }>["params"]["problems"];
// Entries that cannot start this server, then entries that work but only need an update.
function clientsBroken(problems: Problems): string {
  const names = (outdated: boolean) => problems.filter((p) => (p.problem.kind === "needsUpdate") === outdated).map((p) => p.client);
  const [broken, outdated] = [names(false), names(true)];
  return [
    broken.length ? t("health.finding.clients.broken", { clients: list(broken) }) : "",
    outdated.length ? t("health.finding.clients.outdated", { clients: list(outdated) }) : "",
  ]
    .filter(Boolean)
    .join(" ");
}

type Sentences = { [F in Finding as F["id"]]: (f: F) => string };

const sentences: Sentences = {
  "database.missing": () => t("health.finding.database.missing"),
  "database.unopenable": () => t("health.finding.database.unopenable"),
  "database.ok": () => t("health.finding.database.ok"),
  "database.damaged": () => t("health.finding.database.damaged"),
  "database.unreadable": () => t("health.finding.database.unreadable"),
  "database.unusable": () => t("health.finding.database.unusable"),
  "schema.current": () => t("health.finding.schema.current"),
  "schema.behind": () => t("health.finding.schema.behind"),
  "schema.ahead": () => t("health.finding.schema.ahead"),
  "schema.unreadable": () => t("health.finding.schema.unreadable"),
  "disk.ok": (f) => t("health.finding.disk.ok", disk(f.params.space)),
  "disk.low": (f) => t("health.finding.disk.low", disk(f.params.space)),
  "disk.full": (f) => t("health.finding.disk.full", disk(f.params.space)),
  "disk.unmeasured": () => t("health.finding.disk.unmeasured"),
  "backup.never": () => t("health.finding.backup.never"),
  "backup.recent": (f) => t("health.finding.backup.recent", { age: age(f.params.ageHours) }),
  "backup.old": (f) => t("health.finding.backup.old", { age: age(f.params.ageHours) }),
  "keychain.ok": () => t("health.finding.keychain.ok"),
  "keychain.unreachable": () => t("health.finding.keychain.unreachable"),
  "keychain.stopped": () => t("health.finding.keychain.stopped"),
  "keychain.timeout": (f) => t("health.finding.keychain.timeout", { seconds: f.params.seconds }),
  "keychain.env": (f) => t("health.finding.keychain.env", { provider: f.params.provider }),
  "provider-key.unreadable": () => t("health.finding.provider-key.unreadable"),
  "provider-key.no-default": () => t("health.finding.provider-key.no-default"),
  "provider-key.not-needed": (f) => t("health.finding.provider-key.not-needed", { provider: f.params.provider }),
  "provider-key.present": (f) => t("health.finding.provider-key.present", { provider: f.params.provider }),
  "provider-key.missing": (f) => t("health.finding.provider-key.missing", { provider: f.params.provider }),
  "budget.unreadable": () => t("health.finding.budget.unreadable"),
  "budget.none": () => t("health.finding.budget.none"),
  "budget.fine": (f) => t("health.finding.budget.fine", { count: f.params.count }),
  "budget.near": (f) => t("health.finding.budget.near", { providers: providers(f.params.budgets) }),
  "budget.exhausted": (f) => t("health.finding.budget.exhausted", { providers: providers(f.params.budgets) }),
  "clients.none": () => t("health.finding.clients.none"),
  "clients.ok": (f) => t("health.finding.clients.ok", { count: f.params.count }),
  "clients.broken": (f) => clientsBroken(f.params.problems),
  "logs.clean": (f) => t("health.finding.logs.clean", { hours: f.params.hours }),
  "logs.errors": (f) => t("health.finding.logs.errors", { count: f.params.count, hours: f.params.hours }),
  "logs.not-a-folder": () => t("health.finding.logs.not-a-folder"),
  "logs.unreadable": () => t("health.finding.logs.unreadable"),
  "server.ok": () => t("health.finding.server.ok"),
  "server.failed": () => t("health.finding.server.failed"),
  "server.timeout": (f) => t("health.finding.server.timeout", { seconds: f.params.seconds }),
  "paused.off": () => t("health.finding.paused.off"),
  "paused.on": () => t("health.finding.paused.on"),
  "connections.all": () => t("health.finding.connections.all"),
  "connections.never": (f) => t("health.finding.connections.never", { clients: list(f.params.clients.map((c) => c.name)) }),
  // A check worded by core's sentence only (not yet given a finding of its own): that sentence.
  other: (f) => f.params.message,
};

/** Every finding id, for tests that show each of them. */
export const FINDING_IDS = Object.keys(sentences) as FindingId[];

/** What was found, in the language shown. */
export function sentence(finding: Finding): string {
  return (sentences[finding.id] as (f: Finding) => string)(finding);
}

/** A screen a fix leads to (the sidebar's ids, shell.ts). */
export type Card = Extract<ScreenId, "clients" | "keys" | "backups" | "logs">;

/** One fix in words, with the app's own action or the card it leads to, if any. */
export type FixWords = { text: string; act?: "backUpNow" | "repairClientEntries" | "resume"; label?: string; card?: Card };

type FixWordsByKind = { [F in Fix as F["kind"]]: (f: F) => FixWords };

const fixWords: FixWordsByKind = {
  backUpNow: () => ({ text: t("health.fix.backUpNow"), act: "backUpNow", label: t("common.backUpNow") }),
  repairClientEntries: (f) => ({
    text: t("health.fix.repairClientEntries", { clients: list(f.clients) }),
    act: "repairClientEntries",
    label: t("common.repairEntries"),
  }),
  openClients: (f) => ({
    text: t("health.fix.openClients", { clients: list(f.clients) }),
    card: "clients",
    label: t("health.open.clients"),
  }),
  openKeys: (f) => ({
    text: f.provider ? t("health.fix.openKeys", { provider: f.provider }) : t("health.fix.openKeysDefault"),
    card: "keys",
    label: t("health.open.keys"),
  }),
  restoreBackup: () => ({ text: t("health.fix.restoreBackup"), card: "backups", label: t("health.open.backups") }),
  openLogs: () => ({ text: t("health.fix.openLogs"), card: "logs", label: t("health.open.logs") }),
  steps: (f) => ({ text: word("health.step", f.step) }),
  resume: () => ({ text: t("health.fix.resume"), act: "resume", label: t("live.resume") }),
  // The app's own restart step (the guide's words) where this build has them.
  restartClient: (f) => {
    const words = word("guide.restart", f.client);
    return { text: words === f.client ? t("health.fix.restartClient", { name: f.name }) : words };
  },
};

/** A fix in words. */
export function describeFix(fix: Fix): FixWords {
  return (fixWords[fix.kind] as (f: Fix) => FixWords)(fix);
}

// Parameters the sentence already says, or that mean nothing to people.
// A client's `id` and `name` are in the sentence already.
const SKIP = new Set(["ageHours", "count", "hours", "kind", "fixable", "unpricedModels", "id", "name"]);

/**
 * The finding's figures as label and value, for the "Details" disclosure: paths, versions,
 * schema numbers, sizes, timings and the system's own error text. Empty when there are none.
 */
export function details(finding: Finding): [string, string][] {
  if (finding.id === "other" || !("params" in finding)) return [];
  const rows: [string, string][] = [];
  const walk = (value: unknown, name: string) => {
    if (SKIP.has(name) || value === null || value === undefined) return;
    if (Array.isArray(value)) value.forEach((v) => walk(v, name));
    else if (typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, k);
    else rows.push([word("health.detail", name), shown(name, value as string | number | boolean)]);
  };
  walk(finding.params, "");
  return rows;
}

function shown(name: string, value: string | number | boolean): string {
  if (typeof value !== "number") return String(value);
  if (name.endsWith("Bytes")) return bytes(value);
  if (name.endsWith("Percent") || name.endsWith("Ms")) return value.toFixed(1);
  return name === "version" || name === "found" || name === "known" ? String(value) : formatNumber(value);
}
