// The whole overview with the IPC mocked, on a webview whose locale is Japanese: it is drawn in
// Japanese from the start ("Automatic"), and picking a language in Settings switches every card
// at once, without a restart, and stores the choice through IPC (where the tray follows it).
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// Before any module reads it: the webview reports a Japanese system.
vi.hoisted(() => {
  Object.defineProperty(window.navigator, "language", { value: "ja-JP", configurable: true });
});

const ipc = vi.hoisted(() => ({
  appStatus: vi.fn(),
  movingInScan: vi.fn(),
  uiReady: vi.fn(),
  healthCheck: vi.fn(),
  backupNow: vi.fn(),
  clientsRepair: vi.fn(),
  providerStatus: vi.fn(),
  clientsList: vi.fn(),
  backupsList: vi.fn(),
  autostartEnabled: vi.fn(),
  setAppLanguage: vi.fn(),
  takeFocus: vi.fn(),
  updateState: vi.fn(),
  onFocusRequest: vi.fn(),
}));
vi.mock("./lib/ipc", () => ({
  ipc,
  onFocusRequest: ipc.onFocusRequest,
  message: (e: unknown) => (e instanceof Error ? e.message : String(e)),
}));

import App from "./App.svelte";
import { setChoice } from "./lib/i18n.svelte";

const provider = {
  name: "anthropic",
  isDefault: true,
  defaultModel: "claude-test",
  needsKey: true,
  keyPresent: false,
  usage: { calls: 1, inputTokens: 1000, outputTokens: 234 },
  warnings: [],
};

const heading = (level: number) => screen.getAllByRole("heading", { level }).map((h) => h.textContent?.trim());

describe("App language", () => {
  afterEach(cleanup);
  beforeEach(() => {
    for (const f of Object.values(ipc)) f.mockReset();
    setChoice("auto");
    ipc.appStatus.mockResolvedValue({
      version: "0.1.0",
      dataDir: "/home/u/.local/share/dev.llmgen.desktop",
      serverBinary: null,
      counts: { templates: 4, personas: 6, contexts: 1234 },
    });
    ipc.movingInScan.mockResolvedValue({ suggestedDir: null, clients: [] });
    ipc.uiReady.mockResolvedValue(null);
    ipc.healthCheck.mockResolvedValue({
      level: "warning",
      checks: [
        {
          id: "backup",
          level: "warning",
          message: "No backup has been made yet.",
          fix: "Back up now.",
          finding: { id: "backup.never" },
          fixes: [{ kind: "backUpNow" }],
        },
      ],
    });
    ipc.providerStatus.mockResolvedValue({ providers: [provider] });
    ipc.clientsList.mockResolvedValue([]);
    ipc.backupsList.mockResolvedValue([]);
    ipc.autostartEnabled.mockResolvedValue(false);
    ipc.setAppLanguage.mockImplementation(async (l: string) => l);
    ipc.takeFocus.mockResolvedValue(null);
    ipc.updateState.mockResolvedValue({
      currentVersion: "0.1.0",
      canCheck: false,
      autoCheck: true,
      busy: null,
      offer: null,
      lastChecked: null,
      error: null,
    });
    ipc.onFocusRequest.mockResolvedValue(() => {});
  });

  it("draws the overview in Japanese on a Japanese system, health findings included", async () => {
    render(App);
    expect(await screen.findByText("バックアップはまだ作成されていません。")).toBeTruthy();
    await screen.findByText("今月: 1 回の呼び出し、1,234 トークン");
    expect(heading(2)).toEqual(["状態", "ヘルスチェック", "API キー", "AI クライアント", "バックアップ", "設定", "アップデート"]);
    expect(screen.getByRole("button", { name: "概要" })).toBeTruthy();
    expect(screen.getByText("確認が必要な項目があります。")).toBeTruthy();
    expect(screen.getByText("アプリと同じ場所に見つかりません")).toBeTruthy();
    // Counts in the language's number format.
    expect(screen.getByTestId("count-contexts").textContent).toBe("1,234");
    expect(document.documentElement.lang).toBe("ja");
    // The end-to-end test reads which language the window came up in.
    await waitFor(() => expect(ipc.uiReady).toHaveBeenCalledWith(expect.stringContaining("lang=ja")));
  });

  it("switches every card at once when a language is picked in Settings, and stores it", async () => {
    render(App);
    const picker = (await screen.findByTestId("language")) as HTMLSelectElement;
    await screen.findByText("今月: 1 回の呼び出し、1,234 トークン");
    expect(picker.value).toBe("auto");

    await fireEvent.change(picker, { target: { value: "en" } });
    expect(heading(2)).toEqual(["Status", "Health", "API keys", "AI clients", "Backups", "Settings", "Updates"]);
    expect(screen.getByText("Something needs attention.")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Run health check" })).toBeTruthy();
    expect(screen.getByText("This month: 1 call, 1,234 tokens")).toBeTruthy();
    expect(screen.getByRole("combobox", { name: "Language" })).toBe(picker);
    expect(document.documentElement.lang).toBe("en");
    expect(ipc.setAppLanguage).toHaveBeenLastCalledWith("en");

    await fireEvent.change(picker, { target: { value: "auto" } });
    expect(heading(2)[0]).toBe("状態");
    expect(ipc.setAppLanguage).toHaveBeenLastCalledWith("auto");
    // Nothing was read again to switch: the same data, new words.
    expect(ipc.appStatus).toHaveBeenCalledTimes(1);
  });

  it("keeps the new language and says so when it could not be stored", async () => {
    ipc.setAppLanguage.mockRejectedValue(new Error("database is locked"));
    render(App);
    const picker = (await screen.findByTestId("language")) as HTMLSelectElement;
    await fireEvent.change(picker, { target: { value: "en" } });
    expect(heading(2)[0]).toBe("Status");
    expect((await screen.findByText(/could not be saved/)).textContent).toBe(
      "The language changed, but could not be saved: database is locked",
    );
  });

  it("opens at the card a tray entry is about, once the overview is drawn and again when the tray asks", async () => {
    // The tray asked ("Configure clients…") before this UI loaded, and the overview's data
    // comes later than the request: the card is brought into view once it is there.
    ipc.takeFocus.mockResolvedValueOnce("clients");
    let loaded: (v: unknown) => void = () => {};
    ipc.appStatus.mockImplementationOnce(() => new Promise((resolve) => (loaded = resolve)));
    const scrolled: Element[] = [];
    const original = Element.prototype.scrollIntoView;
    Element.prototype.scrollIntoView = function (this: Element) {
      scrolled.push(this);
    };
    try {
      render(App);
      await waitFor(() => expect(ipc.takeFocus).toHaveBeenCalled());
      loaded({
        version: "0.1.0",
        dataDir: "/home/u/.local/share/dev.llmgen.desktop",
        serverBinary: null,
        counts: { templates: 4, personas: 6, contexts: 1 },
      });
      const clients = await screen.findByRole("heading", { level: 2, name: "AI クライアント" });
      await waitFor(() => expect(document.activeElement).toBe(clients));
      expect(scrolled).toContain(clients.closest("section"));
      expect(ipc.takeFocus).toHaveBeenCalledTimes(1);

      // Later, the status line's "open the app to fix it": the tray rings, the UI takes it.
      ipc.takeFocus.mockResolvedValueOnce("health");
      const ring = ipc.onFocusRequest.mock.calls[0][0] as () => void;
      ring();
      const health = screen.getByRole("heading", { level: 2, name: "ヘルスチェック" });
      await waitFor(() => expect(document.activeElement).toBe(health));
      expect(scrolled).toContain(health.closest("section"));
    } finally {
      Element.prototype.scrollIntoView = original;
    }
  });

  it("shows a Start at login changed from the tray when the window comes back to the front", async () => {
    render(App);
    const box = (await screen.findByTestId("autostart")) as HTMLInputElement;
    await waitFor(() => expect(box.disabled).toBe(false));
    expect(box.checked).toBe(false);
    // The user ticks it in the tray's menu, then returns to the window.
    ipc.autostartEnabled.mockResolvedValue(true);
    window.dispatchEvent(new Event("focus"));
    await waitFor(() => expect(box.checked).toBe(true));
  });
});
