// The snippet's marked words and the tags typed in a field: what the Memory screen shows and sends.
import { describe, expect, it } from "vitest";
import { parseTags, pieces } from "./snippet";

describe("snippet pieces", () => {
  it("marks the words between the core's ** markers and keeps the rest as text", () => {
    expect(pieces("…The **budget** for Kyoto")).toEqual([
      { text: "…The ", marked: false },
      { text: "budget", marked: true },
      { text: " for Kyoto", marked: false },
    ]);
    expect(pieces("昨日は**東京**タワーに行った")).toEqual([
      { text: "昨日は", marked: false },
      { text: "東京", marked: true },
      { text: "タワーに行った", marked: false },
    ]);
  });

  it("joins matches that touch and leaves an unpaired marker as written", () => {
    expect(pieces("**東京****駅** and **Kyo**to")).toEqual([
      { text: "東京駅", marked: true },
      { text: " and ", marked: false },
      { text: "Kyo", marked: true },
      { text: "to", marked: false },
    ]);
    expect(pieces("2 ** 3 is 8")).toEqual([{ text: "2 ** 3 is 8", marked: false }]);
    expect(pieces("")).toEqual([]);
  });

  it("keeps HTML in a note as text for the screen to show", () => {
    expect(pieces("<b>**x**</b> & y")).toEqual([
      { text: "<b>", marked: false },
      { text: "x", marked: true },
      { text: "</b> & y", marked: false },
    ]);
  });
});

describe("tags typed in a field", () => {
  it("splits at commas (Japanese ones too), trims, drops empty and repeated tags", () => {
    expect(parseTags(" trip, 東京 ,, trip、旅行，plans ")).toEqual(["trip", "東京", "旅行", "plans"]);
    expect(parseTags("   ")).toEqual([]);
  });
});
