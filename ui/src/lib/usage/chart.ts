// Chart.js, with only the parts our charts use registered (bars, one line, two linear axes,
// tooltips, a legend), so the rest of the library is left out of the bundle. Loaded on demand by
// plot.ts: the first screen does not wait for it. Colours come from the app's CSS variables
// and follow a switch between light and dark while the chart is shown.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartDataset,
} from "chart.js";
import type { Plot } from "./plot";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);

// Distinct in hue and readable on both the light and the dark card.
const PALETTE = ["#3b7ddd", "#e07b39", "#2e9e6a", "#a35bd6", "#d0455b", "#8c8f94"];

const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

function datasets(plot: Plot): ChartDataset<"bar" | "line", (number | null)[]>[] {
  const bars = plot.bars.map((b, i) => ({
    type: "bar" as const,
    label: b.name,
    data: b.values,
    backgroundColor: b.colour ?? PALETTE[i % PALETTE.length],
    stack: plot.stacked ? "all" : b.name,
    yAxisID: "y",
    order: 2,
  }));
  const line = plot.line
    ? [
        {
          type: "line" as const,
          label: plot.line.name,
          data: plot.line.values,
          borderColor: cssVar("--fg"),
          backgroundColor: cssVar("--fg"),
          pointRadius: 2,
          borderWidth: 1.5,
          spanGaps: true,
          yAxisID: "y2",
          order: 1,
        },
      ]
    : [];
  return [...bars, ...line];
}

function options(plot: Plot) {
  const text = cssVar("--muted");
  const grid = cssVar("--line");
  const axis = { ticks: { color: text }, grid: { color: grid } };
  return {
    // Axis numbers as the language shown writes them (i18n keeps <html lang> current).
    locale: document.documentElement.lang || undefined,
    responsive: true,
    maintainAspectRatio: false,
    animation: false as const,
    interaction: { mode: "index" as const, intersect: false },
    plugins: { legend: { labels: { color: text, boxWidth: 12 } } },
    scales: {
      x: { ...axis, stacked: plot.stacked, ticks: { color: text, maxRotation: 0, autoSkipPadding: 12 } },
      y: { ...axis, stacked: plot.stacked, beginAtZero: true },
      ...(plot.line ? { y2: { position: "right" as const, beginAtZero: true, ticks: { color: text }, grid: { display: false } } } : {}),
    },
  };
}

/** Draws `plot` on `canvas`; the handle redraws it with new data and removes it. */
export function draw(canvas: HTMLCanvasElement, plot: Plot) {
  let current = plot;
  const chart = new Chart(canvas, { type: "bar", data: { labels: plot.labels, datasets: datasets(plot) }, options: options(plot) });
  const scheme = window.matchMedia?.("(prefers-color-scheme: dark)");
  const update = (next: Plot) => {
    current = next;
    chart.data = { labels: next.labels, datasets: datasets(next) };
    chart.options = options(next);
    chart.update();
  };
  const retheme = () => update(current);
  scheme?.addEventListener("change", retheme);
  return {
    update,
    destroy() {
      scheme?.removeEventListener("change", retheme);
      chart.destroy();
    },
  };
}
