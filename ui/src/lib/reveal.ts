// A Svelte action for messages that appear far from where the person is looking (the end of a
// long form): scrolls them into view when shown and whenever their text changes.
export function reveal(node: HTMLElement, _text?: unknown) {
  const show = () => node.scrollIntoView?.({ block: "nearest" });
  show();
  return { update: show };
}
