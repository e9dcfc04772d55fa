// A search hit's snippet as pieces of text, each marked or not: the core puts the matched words
// between `**` (llmgen_core::memory's snippets); the screen shows the marked pieces in <mark>
// elements as plain text, so a note's own characters (<, &, quotes) are never read as HTML.

/** The marker the core puts before and after a matched word in a snippet. */
export const MARK = "**";

export type Piece = { text: string; marked: boolean };

/**
 * The snippet split at its markers, empty pieces left out. A marker without its partner is
 * text as written (a note may contain `**` of its own); marked pieces never nest.
 */
export function pieces(snippet: string, open = MARK, close = MARK): Piece[] {
  const out: Piece[] = [];
  const push = (text: string, marked: boolean) => {
    if (!text) return;
    const last = out[out.length - 1];
    if (last && last.marked === marked) last.text += text;
    else out.push({ text, marked });
  };
  let rest = snippet;
  while (rest) {
    const start = rest.indexOf(open);
    if (start < 0) break;
    const end = rest.indexOf(close, start + open.length);
    if (end < 0) break;
    push(rest.slice(0, start), false);
    push(rest.slice(start + open.length, end), true);
    rest = rest.slice(end + close.length);
  }
  push(rest, false);
  return out;
}

/** Tags as the user types them ("trip, 東京 , trip"): trimmed, no empty one, each once. */
export function parseTags(input: string): string[] {
  const seen = new Set<string>();
  for (const raw of input.split(/[,、，]/)) {
    const tag = raw.trim();
    if (tag) seen.add(tag);
  }
  return [...seen];
}
