// The dictionaries and the message functions: Japanese has every English key with a non-empty
// value and the same `{names}` (the types check keys, not names or emptiness), counts take the
// language's plural form and number format, and the locale decides "Automatic".
import { afterEach, describe, expect, it } from "vitest";
import { en } from "./locales/en";
import { ja } from "./locales/ja";
import type { Plural } from "./locales/types";
import { current, langOf, parts, setChoice, t, word } from "./i18n.svelte";

type Entry = string | Plural;
const forms = (e: Entry): string[] => (typeof e === "string" ? [e] : [e.one, e.other].filter((f) => f !== undefined));
const names = (e: Entry): string[] => [...new Set(forms(e).flatMap((f) => [...f.matchAll(/\{(\w+)\}/g)].map((m) => m[1])))].sort();

describe("dictionaries", () => {
  afterEach(() => setChoice("auto"));

  it("has every English key in Japanese, none empty, with the same placeholders", () => {
    const enKeys = Object.keys(en).sort();
    expect(Object.keys(ja).sort()).toEqual(enKeys);
    for (const key of enKeys) {
      const source = en[key as keyof typeof en] as Entry;
      const target = ja[key as keyof typeof ja] as Entry;
      for (const f of [...forms(source), ...forms(target)]) expect(f.trim(), key).not.toBe("");
      expect(names(target), key).toEqual(names(source));
      // A plural message is one in both languages, and says its count.
      expect(typeof target, key).toBe(typeof source);
      if (typeof source !== "string") expect(names(source), key).toContain("count");
    }
  });

  it("writes Japanese in Japanese script and keeps product names as they are", () => {
    // Proves the Japanese dictionary is not English copied over: every message that has words
    // (not only a name or a symbol) has kana or kanji.
    const japanese = /[\u3040-\u30ff\u3400-\u9fff]/;
    for (const [key, entry] of Object.entries(ja)) {
      for (const f of forms(entry)) expect(japanese.test(f), `${key}: ${f}`).toBe(true);
    }
    expect(ja["clients.noneInstalled"]).toContain("VS Code");
    expect(ja["clients.noneInstalled"]).toContain("Claude Desktop");
  });
});

describe("messages", () => {
  afterEach(() => setChoice("auto"));

  it("fills in values, picks the plural form and formats numbers per language", () => {
    setChoice("en");
    expect(t("clients.repaired", { count: 1 })).toBe("Repaired 1 entry.");
    expect(t("clients.repaired", { count: 3 })).toBe("Repaired 3 entries.");
    expect(t("contexts.row", { count: 1, when: "today" })).toBe("1 message · last active today");
    expect(t("keys.tokens", { count: 12345 })).toBe("12,345 tokens");
    expect(t("contexts.range", { from: 1, to: 20, total: 45 })).toBe("1–20 of 45");
    setChoice("ja");
    expect(t("clients.repaired", { count: 1 })).toBe("1 件のエントリーを修復しました。");
    expect(t("keys.tokens", { count: 12345 })).toBe("12,345 トークン");
    expect(t("contexts.range", { from: 1, to: 20, total: 45 })).toBe("45 件中 1–20 件");
  });

  it("puts a value where each language's word order wants it", () => {
    setChoice("en");
    expect(parts("templates.intro", { placeholders: "{placeholders}" })[1]).toEqual({
      text: "{placeholders}",
      slot: "placeholders",
    });
    setChoice("ja");
    const ja = parts("remove.entryIn", { what: "VS Code", place: "/home/u/.config/Code/User/mcp.json" });
    expect(ja.map((p) => p.slot ?? "")).toEqual(["what", "", "place"]);
    expect(ja.map((p) => p.text).join("")).toBe("VS Code のエントリー /home/u/.config/Code/User/mcp.json");
  });

  it("shows a value from core as a word when it knows one, and as it is otherwise", () => {
    setChoice("ja");
    expect(word("clients.state", "stale")).toBe("修復が必要");
    expect(word("clients.state", "from-the-future")).toBe("from-the-future");
  });

  it("reads the locale: ja* is Japanese, anything else English", () => {
    expect(langOf("ja")).toBe("ja");
    expect(langOf("ja-JP")).toBe("ja");
    expect(langOf("JA_jp")).toBe("ja");
    expect(langOf("jv-ID")).toBe("en");
    expect(langOf("en-US")).toBe("en");
    expect(langOf("de")).toBe("en");
    expect(langOf(undefined)).toBe("en");
    // jsdom's navigator.language is en-US: Automatic is English here, a choice overrides it.
    setChoice("auto");
    expect(current()).toBe("en");
    setChoice("ja");
    expect(current()).toBe("ja");
    expect(document.documentElement.lang).toBe("ja");
  });
});
