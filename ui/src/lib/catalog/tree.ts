// A catalog's rows drawn as a tree: the items in the order, and at the depth, that the screen
// gives (the Personas screen: the team's tree order from the core, `team::members`), nested so
// that each list holds the rows directly below one row.

/** An item's place: its name and its depth (0 for a root), in tree order. */
export type Placed = { name: string; depth: number };

/** A row and the rows directly below it. */
export type Branch<I> = { item: I; children: Branch<I>[] };

/**
 * `items` nested as `order` places them. An item the order leaves out (added between the two
 * reads) is a root at the end; a name the items lack (deleted in between) is skipped, and the
 * rows under it hang from the nearest row above.
 */
export function nest<I extends { name: string }>(items: readonly I[], order: readonly Placed[]): Branch<I>[] {
  const byName = new Map(items.map((i) => [i.name, i]));
  const roots: Branch<I>[] = [];
  // path[d]: the last row placed at depth d, the parent of a row at depth d + 1.
  const path: Branch<I>[] = [];
  const placed = new Set<string>();
  for (const { name, depth } of order) {
    const item = byName.get(name);
    const at = Math.min(Math.max(depth, 0), path.length);
    if (!item || placed.has(name)) {
      path.length = Math.min(path.length, at);
      continue;
    }
    const branch: Branch<I> = { item, children: [] };
    (at === 0 ? roots : path[at - 1].children).push(branch);
    path.length = at;
    path.push(branch);
    placed.add(name);
  }
  for (const item of items) if (!placed.has(item.name)) roots.push({ item, children: [] });
  return roots;
}

/** `items` as rows with nothing below them (a search's matches). */
export const flat = <I>(items: readonly I[]): Branch<I>[] => items.map((item) => ({ item, children: [] }));
