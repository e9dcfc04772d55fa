// Unit tests of the catalog's tree: rows nest as the order places them, whatever order the items
// come in, and rows read between the two calls are neither lost nor misplaced far away.
import { describe, expect, it } from "vitest";
import { flat, nest, type Branch } from "./tree";

const item = (name: string) => ({ name });
const shape = (branches: Branch<{ name: string }>[]): unknown =>
  branches.map((b) => (b.children.length ? { [b.item.name]: shape(b.children) } : b.item.name));

describe("nest", () => {
  it("nests the items by the tree order and depths, not by the items' own order", () => {
    const items = ["writer", "lead", "editor", "solo", "poet"].map(item);
    const order = [
      { name: "lead", depth: 0 },
      { name: "editor", depth: 1 },
      { name: "writer", depth: 1 },
      { name: "poet", depth: 2 },
      { name: "solo", depth: 0 },
    ];
    expect(shape(nest(items, order))).toEqual([{ lead: ["editor", { writer: ["poet"] }] }, "solo"]);
  });

  it("keeps an item the order lacks as a root at the end, and skips a name the items lack", () => {
    const items = ["lead", "poet", "new"].map(item);
    const order = [
      { name: "lead", depth: 0 },
      { name: "gone", depth: 1 },
      { name: "poet", depth: 2 },
    ];
    // The poet hangs from the nearest row above its missing parent.
    expect(shape(nest(items, order))).toEqual([{ lead: ["poet"] }, "new"]);
  });

  it("lists every item once, as rows without children, when flat", () => {
    expect(shape(flat(["b", "a"].map(item)))).toEqual(["b", "a"]);
    expect(shape(nest(["a"].map(item), [{ name: "a", depth: 0 }, { name: "a", depth: 1 }]))).toEqual(["a"]);
  });
});
