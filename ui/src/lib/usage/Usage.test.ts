// The Usage screen with the IPC and Chart.js mocked (jsdom has no canvas): what each chart
// shows is also said in words (the summary a screen reader reads) and in a table; budgets are
// bars with their share, named for assistive technology; and screens without data say what to do.
import { cleanup, fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const ipc = vi.hoisted(() => ({ usageHistory: vi.fn(), providerStatus: vi.fn() }));
vi.mock("../ipc", () => ({ ipc, message: (e: unknown) => (e instanceof Error ? e.message : String(e)) }));
const drawn = vi.hoisted(() => [] as unknown[]);
vi.mock("./chart", () => ({
  draw: (_canvas: HTMLCanvasElement, plot: unknown) => {
    drawn.push(plot);
    return { update: (next: unknown) => drawn.push(next), destroy() {} };
  },
}));

// Loaded now, so the chart's first on-demand import finds the mock already in place.
import "./chart";
import Usage from "./Usage.svelte";
import { setChoice } from "../i18n.svelte";

const DAYS = ["2026-12-05", "2026-12-06", "2026-12-07"];
const day = (calls: number, input: number, output: number, cost: number | null = null) => ({
  calls,
  failedCalls: 0,
  inputTokens: input,
  outputTokens: output,
  cost,
});
const tool = (d: string, calls: number, errors: number, p95Ms: number | null) => ({
  day: d,
  calls,
  errors,
  p50Ms: p95Ms === null ? null : p95Ms / 2,
  p95Ms,
});

const provider = (name: string, budget?: object) => ({
  name,
  isDefault: false,
  defaultModel: "m",
  needsKey: true,
  keyPresent: true,
  usage: { calls: 0, inputTokens: 0, outputTokens: 0 },
  warnings: [],
  ...(budget ? { budget } : {}),
});

/** A table row's cells, as one line. */
const cells = (row: HTMLElement) => [...row.children].map((c) => c.textContent?.trim()).join(" ");

describe("Usage screen", () => {
  afterEach(cleanup);
  beforeEach(() => {
    setChoice("en");
    drawn.length = 0;
    ipc.usageHistory.mockResolvedValue({
      usage: {
        days: DAYS,
        providers: [
          { provider: "anthropic", days: [day(1, 100, 50, 0.5), day(0, 0, 0), day(2, 1000, 200, 1.25)] },
          { provider: "openai", days: [day(0, 0, 0), day(3, 10, 20), day(0, 0, 0)] },
        ],
      },
      tools: [tool(DAYS[0], 10, 1, 40), tool(DAYS[1], 0, 0, null), tool(DAYS[2], 30, 2, 850)],
    });
    ipc.providerStatus.mockResolvedValue({
      providers: [
        provider("anthropic", { unit: "tokens", monthlyLimit: 10000, used: 8500, left: 1500, percentUsed: 85 }),
        provider("openai", { unit: "currency", monthlyLimit: 5, used: 6, left: 0, percentUsed: 120 }),
        provider("local"),
      ],
    });
  });

  it("says in words and in a table what the usage chart draws, for each measure", async () => {
    render(Usage);
    const figure = await screen.findByTestId("usage-chart");
    expect(ipc.usageHistory).toHaveBeenCalledWith(30);
    // The caption names the figure and the table.
    expect(within(figure).getAllByText("Tokens (in and out) per day and provider").map((e) => e.tagName)).toEqual([
      "SPAN",
      "CAPTION",
    ]);
    expect(screen.getByTestId("usage-chart-summary").textContent).toBe(
      "1,380 tokens in 30 days. Busiest day: Dec 7 (1,200 tokens). By provider: anthropic 1,350 tokens, openai 30 tokens.",
    );
    const rows = within(figure).getAllByRole("row").map(cells);
    expect(rows).toEqual([
      "Day anthropic openai Total",
      "Dec 5 150 tokens 0 tokens 150 tokens",
      "Dec 6 0 tokens 30 tokens 30 tokens",
      "Dec 7 1,200 tokens 0 tokens 1,200 tokens",
    ]);

    await fireEvent.click(screen.getByRole("radio", { name: "Calls" }));
    expect(screen.getByTestId("usage-chart-summary").textContent).toBe(
      "6 calls in 30 days. Busiest day: Dec 6 (3 calls). By provider: anthropic 3 calls, openai 3 calls.",
    );
    await fireEvent.click(screen.getByRole("radio", { name: "Cost" }));
    expect(screen.getAllByText("Cost per day and provider (priced models only)")).toHaveLength(2);
    expect(screen.getByTestId("usage-chart-summary").textContent).toContain("1.75 in 30 days");
  });

  it("hands the chart one stacked bar series per provider, aligned with the days", async () => {
    render(Usage);
    await screen.findByTestId("usage-chart");
    await vi.waitFor(() => expect(drawn.length).toBeGreaterThan(0));
    expect(drawn[0]).toMatchObject({
      labels: ["Dec 5", "Dec 6", "Dec 7"],
      stacked: true,
      bars: [
        { name: "anthropic", values: [150, 0, 1200] },
        { name: "openai", values: [0, 30, 0] },
      ],
    });
  });

  it("shows each budget as a named bar, warned near the limit and stopped at it", async () => {
    render(Usage);
    const bars = await screen.findAllByRole("progressbar");
    expect(bars.map((b) => b.getAttribute("aria-label"))).toEqual([
      "Budget of anthropic used this month",
      "Budget of openai used this month",
    ]);
    expect(bars.map((b) => b.getAttribute("aria-valuenow"))).toEqual(["85", "100"]);
    expect(bars[0].getAttribute("aria-valuetext")).toBe("8,500 tokens of 10,000 tokens (85%)");
    expect(bars[1].getAttribute("aria-valuetext")).toBe("6.00 of 5.00 (120%)");
    expect(within(screen.getByTestId("budget-anthropic")).getByText("Nearly used up.")).toBeTruthy();
    expect(
      within(screen.getByTestId("budget-openai")).getByText("Used up: calls to openai are refused until next month."),
    ).toBeTruthy();
    expect(screen.queryByTestId("budget-local")).toBeNull();
  });

  it("sums up the tool calls' errors and the slowest day", async () => {
    render(Usage);
    expect((await screen.findByTestId("tool-chart-summary")).textContent).toBe(
      "40 calls in 30 days, 3 with an error (7.5%). Slowest day: Dec 7, p95 850 ms.",
    );
    const rows = within(screen.getByTestId("tool-chart")).getAllByRole("row");
    expect(cells(rows[2])).toBe("Dec 6 0 0 – –");
  });

  it("says what to do when there is nothing to draw yet", async () => {
    ipc.usageHistory.mockResolvedValue({ usage: { days: DAYS, providers: [] }, tools: [tool(DAYS[0], 0, 0, null)] });
    ipc.providerStatus.mockResolvedValue({ providers: [provider("anthropic")] });
    render(Usage);
    expect((await screen.findByTestId("usage-empty")).textContent).toContain("set up under Keys & providers");
    expect(screen.getByRole("button", { name: "Open Keys & providers" })).toBeTruthy();
    expect(screen.getByTestId("tools-empty").textContent).toBe(
      "No tool calls in the last 30 days. They are counted when an AI app uses this server.",
    );
    expect((await screen.findByTestId("budgets-none")).textContent).toBe(
      "No provider has a monthly budget, so none is limited.",
    );
    expect(screen.queryByRole("figure")).toBeNull();
  });

  it("says why when the usage cannot be read", async () => {
    ipc.usageHistory.mockRejectedValue(new Error("database is locked"));
    render(Usage);
    expect((await screen.findByRole("alert")).textContent).toBe("Could not read the usage: database is locked");
  });
});
