// The UI's words in English and Japanese. The language is the user's choice from Settings
// (stored in core's settings by the Rust side, which also re-labels the tray), or, for
// "Automatic", the webview's locale: `ja*` gives Japanese, anything else English. The state is a
// rune, so every `t(...)` in a template follows a switch at once, without a restart.
// This module calls no IPC: screens are tested with the IPC module mocked.
import { en } from "./locales/en";
import { ja } from "./locales/ja";
import type { Dictionary, Key, Plural } from "./locales/types";

export type Lang = "en" | "ja";
/** What Settings stores: the same values as core's `Language`. */
export type Choice = "auto" | Lang;
export type { Key };

const dictionaries: Record<Lang, Dictionary> = { en, ja };

/** Languages by their own names, as the Settings menu lists them (the same in every language). */
export const LANGUAGE_NAMES: Record<Lang, string> = { en: "English", ja: "日本語" };

/** A BCP 47 tag (`ja-JP`, `en-US`, `ja`) to the language we show. */
export function langOf(tag: string | null | undefined): Lang {
  return /^ja(?:$|[-_])/i.test(tag ?? "") ? "ja" : "en";
}

const systemLang = (): Lang => langOf(globalThis.navigator?.language);

const state = $state<{ choice: Choice; system: Lang }>({ choice: "auto", system: systemLang() });

// The webview says when the system's language changes; "Automatic" follows it.
globalThis.addEventListener?.("languagechange", () => {
  state.system = systemLang();
  applyToDocument();
});

/** The language shown now. */
export function current(): Lang {
  return state.choice === "auto" ? state.system : state.choice;
}

/** The choice as Settings shows it. */
export function choice(): Choice {
  return state.choice;
}

/** Switches the whole UI at once (the caller stores the choice). */
export function setChoice(next: Choice): void {
  state.choice = next;
  applyToDocument();
}

// `lang` on <html>: screen readers pronounce the right language, and the browser picks Japanese
// glyphs from CJK fonts.
function applyToDocument(): void {
  if (globalThis.document) document.documentElement.lang = current();
}
applyToDocument();

// Types that make `t("key", values)` check the values against the English message's `{names}`.
type Placeholders<S> = S extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;
type Text<M> = M extends string ? M : M extends { readonly other: infer O } ? O : never;
type Names<K extends Key> = Placeholders<Text<(typeof en)[K]>>;
export type Values<K extends Key> = { [N in Names<K>]: string | number };
type Args<K extends Key> = [Names<K>] extends [never] ? [] : [values: Values<K>];

/** A number as the language writes it (1,234). */
export function formatNumber(n: number): string {
  return new Intl.NumberFormat(current()).format(n);
}

/**
 * A date and time in the language shown. English keeps the webview's own locale format (what the
 * screens showed before translation), unless the system is Japanese and the user chose English.
 */
export function formatDate(iso: string): string {
  const lang = current();
  const locale = lang === "ja" ? "ja-JP" : state.system === "ja" ? "en-US" : undefined;
  return new Date(iso).toLocaleString(locale);
}

function message<K extends Key>(key: K, values: Record<string, string | number>): string {
  const lang = current();
  const entry: string | Plural = dictionaries[lang][key];
  if (typeof entry === "string") return entry;
  const form = new Intl.PluralRules(lang).select(Number(values.count ?? 0));
  return (form === "one" ? entry.one : undefined) ?? entry.other;
}

const show = (value: string | number) => (typeof value === "number" ? formatNumber(value) : value);

/** The message `key` in the language shown, with its `{names}` filled in (numbers formatted). */
export function t<K extends Key>(key: K, ...args: Args<K>): string {
  const values = (args[0] ?? {}) as Record<string, string | number>;
  return message(key, values).replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? show(values[name]) : whole,
  );
}

/**
 * The word for a value that comes from core (a client's state, a backup's reason, a kind), from
 * the keys `prefix.value`; the value itself when this build has no word for it (a newer core).
 */
export function word(prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  return key in en ? message(key as Key, {}) : value;
}

/** A piece of a message: plain text, or a filled-in value the screen shows in its own element. */
export type Part = { text: string; slot?: string };

/**
 * The message `key` split at its `{names}`, for sentences with a value set in code or a link:
 * the word order of each language decides where the value goes.
 */
export function parts<K extends Key>(key: K, ...args: Args<K>): Part[] {
  const values = (args[0] ?? {}) as Record<string, string | number>;
  const out: Part[] = [];
  const text = message(key, values);
  let last = 0;
  for (const m of text.matchAll(/\{(\w+)\}/g)) {
    const name = m[1];
    if (!(name in values)) continue;
    if (m.index > last) out.push({ text: text.slice(last, m.index) });
    out.push({ text: show(values[name]), slot: name });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}
