// Unit tests of the Delegations screen's words: who asked whom, the time a task took from the
// core's microsecond timestamps, the tokens or their absence, and which statuses still run.
import { afterEach, describe, expect, it } from "vitest";
import { setChoice } from "../i18n.svelte";
import { fromTo, isActive, STATUSES, statusName, tokens, took } from "./words";

describe("delegation words", () => {
  afterEach(() => setChoice("en"));

  it("names who asked whom, the user as You", () => {
    setChoice("en");
    expect(fromTo({ from: null, to: "writer" })).toBe("You → writer");
    expect(fromTo({ from: "lead", to: "writer" })).toBe("lead → writer");
    setChoice("ja");
    expect(fromTo({ from: null, to: "writer" })).toBe("あなた から writer へ");
    expect(statusName("cancelled")).toBe("キャンセル済み");
  });

  it("says how long it took once it started and ended, from microsecond timestamps", () => {
    setChoice("en");
    const started = "2026-12-08T00:10:00.123456Z";
    expect(took({ startedAt: started, finishedAt: "2026-12-08T00:10:12.623999Z" })).toBe("12.5 s");
    expect(took({ startedAt: started, finishedAt: null })).toBeNull();
    expect(took({ startedAt: null, finishedAt: started })).toBeNull();
  });

  it("shows the tokens with the language's digits, or that none were reported", () => {
    setChoice("en");
    expect(tokens({ inputTokens: 1200, outputTokens: 80 })).toBe("1,200 in, 80 out");
    expect(tokens({ inputTokens: null, outputTokens: null })).toBe("Not reported");
  });

  it("treats pending and running as still going, and only those", () => {
    expect(STATUSES.filter(isActive)).toEqual(["pending", "running"]);
    expect(statusName("newer-status" as never)).toBe("newer-status");
  });
});
