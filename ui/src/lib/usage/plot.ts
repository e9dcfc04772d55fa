// A chart as data (`Plot`), and the Svelte action that draws it on a canvas with Chart.js,
// which it loads on first use (chart.ts is a chunk of its own). Tests mock chart.ts: jsdom has
// no canvas.
export type Plot = {
  /** One label per position on the x axis. */
  labels: string[];
  /** Bars, one series each (a colour of their own, or the palette's). */
  bars: { name: string; values: number[]; colour?: string }[];
  /** Bars on top of each other (true) or side by side. */
  stacked: boolean;
  /** A line on a second axis, on the right (gaps where a value is null). */
  line?: { name: string; values: (number | null)[] };
};

/** `use:plot={data}` on a canvas. */
export function plot(canvas: HTMLCanvasElement, data: Plot) {
  let latest = data;
  let handle: { update(p: Plot): void; destroy(): void } | null = null;
  let gone = false;
  import("./chart")
    .then(({ draw }) => {
      if (!gone) handle = draw(canvas, latest);
    })
    .catch(() => {
      // The numbers stay readable in the table and the summary below the chart.
    });
  return {
    update(next: Plot) {
      latest = next;
      handle?.update(next);
    },
    destroy() {
      gone = true;
      handle?.destroy();
    },
  };
}
