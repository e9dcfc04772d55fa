// The shape every language's dictionary must have: exactly the keys of the English one (a missing
// or an extra key is a type error), a plain string where English has one, and plural forms where
// English has them.
import type { en } from "./en";

/** Forms of a message that shows a count, chosen by `Intl.PluralRules` (Japanese has only `other`). */
export type Plural = { readonly one?: string; readonly other: string };

export type Key = keyof typeof en;

export type Dictionary = { readonly [K in Key]: (typeof en)[K] extends string ? string : Plural };
