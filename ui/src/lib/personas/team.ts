// What the Personas screen's team fields mean: the roles in the order the form offers them, a
// role's name and one-line meaning in the language shown, and the restrictions as typed (one
// rule per line). Expertise is typed like the Memory screen's tags (parseTags).
import { word } from "../i18n.svelte";
import type { Role } from "../ipc";

/** Every role, from the one that runs a team to the one that only reads (core's `Role::ALL`). */
export const ROLES: readonly Role[] = ["lead", "specialist", "assistant", "reviewer", "observer"];

/** A role's name, in the language shown. */
export const roleName = (role: Role): string => word("personas.role", role);

/** What a role may do, in one line. */
export const roleMeaning = (role: Role): string => word("personas.roleMeaning", role);

/** Restrictions as typed in the form: one per line, trimmed, no empty one, each once. */
export function ruleLines(input: string): string[] {
  return [...new Set(input.split(/\r?\n/).map((line) => line.trim()).filter(Boolean))];
}
