// What the Personas screen's team fields mean: the roles in the order the form offers them, a
// role's name and one-line meaning in the language shown, and the restrictions as typed (one
// rule per line). Expertise is typed like the Memory screen's tags (parseTags).
import { word } from "../i18n.svelte";
import type { Role, TeamMember } from "../ipc";

/** Every role, from the one that runs a team to the one that only reads (core's `Role::ALL`). */
export const ROLES: readonly Role[] = ["lead", "specialist", "assistant", "reviewer", "observer"];

/** A role's name, in the language shown. */
export const roleName = (role: Role): string => word("personas.role", role);

/** What a role may do, in one line. */
export const roleMeaning = (role: Role): string => word("personas.roleMeaning", role);

/**
 * The personas the form offers as `name`'s parent (null: a new persona), by name: every other
 * persona except those below it, which the core refuses as a cycle. `team` is the core's tree
 * order with depths, so the ones below it are the members after it that are deeper, until the
 * depth comes back to its own. Without the tree (it could not be read), every listed persona
 * but itself.
 */
export function parentChoices(
  name: string | null,
  team: readonly Pick<TeamMember, "name" | "depth">[] | null,
  listed: readonly string[],
): string[] {
  let names = listed;
  if (team) {
    const at = team.findIndex((m) => m.name === name);
    let end = at + 1;
    if (at >= 0) while (end < team.length && team[end].depth > team[at].depth) end++;
    names = [...team.slice(0, Math.max(at, 0)), ...team.slice(at >= 0 ? end : 0)].map((m) => m.name);
  }
  return names.filter((n) => n !== name).sort((a, b) => a.localeCompare(b));
}

/** Restrictions as typed in the form: one per line, trimmed, no empty one, each once. */
export function ruleLines(input: string): string[] {
  return [...new Set(input.split(/\r?\n/).map((line) => line.trim()).filter(Boolean))];
}
