// The words of a change in the Memory screen's "Recent changes": who did what to which note.
import { t } from "../i18n.svelte";
import type { MemoryChange } from "../ipc";

/** Who made a change: the user (no persona), or the persona by its name. */
export const who = (actor: string | null): string => (actor ? t("memory.byPersona", { name: actor }) : t("memory.ownerYou"));

/** "You created “Trip”", in the language shown; an action this build does not know is named as it is. */
export function changeSentence(change: MemoryChange): string {
  const values = { who: who(change.actor), title: change.title };
  switch (change.action) {
    case "created":
      return t("memory.feed.created", values);
    case "updated":
      return t("memory.feed.updated", values);
    case "deleted":
      return t("memory.feed.deleted", values);
    case "linked":
      return t("memory.feed.linked", values);
    case "unlinked":
      return t("memory.feed.unlinked", values);
    default:
      return `${values.who}: ${String(change.action)} “${values.title}”`;
  }
}
