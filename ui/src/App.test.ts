// The whole app with the IPC mocked, on a webview whose locale is Japanese: it is drawn in
// Japanese from the start ("Automatic"), and picking a language in Settings switches every screen
// and the sidebar at once, without a restart, and stores the choice through IPC (where the tray
// follows it). A tray entry opens the screen it is about.
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// Before any module reads it: the webview reports a Japanese system.
vi.hoisted(() => {
  Object.defineProperty(window.navigator, "language", { value: "ja-JP", configurable: true });
});

const ipc = vi.hoisted(() => ({
  appStatus: vi.fn(),
  movingInScan: vi.fn(),
  serversPaused: vi.fn(),
  serversList: vi.fn(),
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
  guideNeeded: vi.fn(),
  guideState: vi.fn(),
  guideAddClients: vi.fn(),
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
    ipc.serversPaused.mockResolvedValue(null);
    ipc.serversList.mockResolvedValue([]);
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
    ipc.guideNeeded.mockResolvedValue(false);
    ipc.guideState.mockResolvedValue({ clients: [], localServers: [], usableProvider: null });
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

  it("draws the overview in Japanese on a Japanese system, with core's sentences as they are", async () => {
    render(App);
    await screen.findByText("今月: 1 回の呼び出し、1,234 トークン");
    expect(heading(1)).toEqual(["MCP LLM Generator"]);
    expect(heading(2)).toEqual(["状態"]);
    expect(screen.getByRole("button", { name: "概要" }).getAttribute("aria-current")).toBe("page");
    expect(await screen.findByText("対応が必要な項目が 1 件あります。")).toBeTruthy();
    // Paths and counts sit under "Details" (詳細), in the language's number format.
    expect(screen.getByText("詳細").tagName).toBe("SUMMARY");
    expect(screen.getByText("アプリと同じ場所に見つかりません")).toBeTruthy();
    expect(screen.getByTestId("count-contexts").textContent).toBe("1,234");
    expect(document.documentElement.lang).toBe("ja");
    // The end-to-end test reads which language the window came up in.
    await waitFor(() => expect(ipc.uiReady).toHaveBeenCalledWith(expect.stringContaining("lang=ja")));

    // The health screen words the finding in Japanese (core's English sentence is for the CLI).
    await fireEvent.click(screen.getByRole("button", { name: "ヘルスチェック" }));
    expect(await screen.findByText("バックアップはまだ作成されていません。")).toBeTruthy();
    expect(screen.getByText("確認が必要な項目があります。")).toBeTruthy();
    expect(heading(2)).toEqual(["ヘルスチェック"]);
  });

  it("leads from a health finding to the screen that fixes it", async () => {
    ipc.healthCheck.mockResolvedValue({
      level: "warning",
      checks: [
        {
          id: "provider-key",
          level: "warning",
          message: "The default provider 'anthropic' has no key.",
          fix: "Store one with `mcp-llm-generator keys set anthropic`.",
          finding: { id: "provider-key.missing", params: { provider: "anthropic" } },
          fixes: [{ kind: "openKeys", provider: "anthropic" }],
        },
      ],
    });
    const original = Element.prototype.scrollIntoView;
    Element.prototype.scrollIntoView = () => {};
    try {
      render(App);
      await screen.findByText("今月: 1 回の呼び出し、1,234 トークン");
      await fireEvent.click(screen.getByRole("button", { name: "ヘルスチェック" }));
      await fireEvent.click(await screen.findByRole("button", { name: "キーとプロバイダーを開く" }));
      expect(heading(2)).toEqual(["API キー"]);
      // The keys screen's heading takes the focus, as when the tray sends the user there.
      await waitFor(() => expect(document.activeElement?.id).toBe("keys-title"));
    } finally {
      Element.prototype.scrollIntoView = original;
    }
  });

  it("switches every screen at once when a language is picked in Settings, and stores it", async () => {
    render(App);
    await screen.findByText("今月: 1 回の呼び出し、1,234 トークン");
    await fireEvent.click(screen.getByRole("button", { name: "設定" }));
    const picker = (await screen.findByTestId("language")) as HTMLSelectElement;
    expect(picker.value).toBe("auto");

    await fireEvent.change(picker, { target: { value: "en" } });
    expect(heading(2)).toEqual(["Settings", "Updates", "Moving in", "Remove everything"]);
    const sidebar = within(screen.getByRole("navigation", { name: "Screens" }));
    expect(sidebar.getAllByRole("button").map((b) => b.textContent?.trim())).toEqual([
      "Overview",
      "Health",
      "AI apps",
      "Keys & providers",
      "Usage",
      "Personas",
      "Templates",
      "Conversations",
      "Memory",
      "Delegations",
      "Backups",
      "Logs",
      "Settings",
      "Set up",
    ]);
    expect(screen.getByRole("combobox", { name: "Language" })).toBe(picker);
    expect(document.documentElement.lang).toBe("en");
    expect(ipc.setAppLanguage).toHaveBeenLastCalledWith("en");
    // Nothing was read again to switch: the same data, new words.
    expect(ipc.appStatus).toHaveBeenCalledTimes(1);
    await fireEvent.click(sidebar.getByRole("button", { name: "Overview" }));
    expect(await screen.findByText("This month: 1 call, 1,234 tokens")).toBeTruthy();
    expect(heading(2)).toEqual(["Status"]);

    await fireEvent.click(sidebar.getByRole("button", { name: "Settings" }));
    await fireEvent.change(await screen.findByTestId("language"), { target: { value: "auto" } });
    expect(heading(2)[0]).toBe("設定");
    expect(ipc.setAppLanguage).toHaveBeenLastCalledWith("auto");
  });

  it("keeps the new language and says so when it could not be stored", async () => {
    ipc.setAppLanguage.mockRejectedValue(new Error("database is locked"));
    render(App);
    await fireEvent.click(await screen.findByRole("button", { name: "設定" }));
    const picker = (await screen.findByTestId("language")) as HTMLSelectElement;
    await fireEvent.change(picker, { target: { value: "en" } });
    expect(heading(2)[0]).toBe("Settings");
    expect((await screen.findByText(/could not be saved/)).textContent).toBe(
      "The language changed, but could not be saved: database is locked",
    );
  });

  it("opens the screen a tray entry is about, once the app's data is read and again when the tray asks", async () => {
    // The tray asked ("Configure clients…") before this UI loaded, and the app's data comes
    // later than the request: the screen opens once it is there, its heading focused.
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
      const clients = await screen.findByRole("heading", { level: 2, name: "AI アプリ" });
      await waitFor(() => expect(document.activeElement).toBe(clients));
      expect(screen.getByRole("button", { name: "AI アプリ" }).getAttribute("aria-current")).toBe("page");
      expect(scrolled).toContain(clients.closest("section"));
      expect(ipc.takeFocus).toHaveBeenCalledTimes(1);

      // Later, the status line's "open the app to fix it": the tray rings, the UI takes it.
      ipc.takeFocus.mockResolvedValueOnce("health");
      const ring = ipc.onFocusRequest.mock.calls[0][0] as () => void;
      ring();
      const health = await screen.findByRole("heading", { level: 2, name: "ヘルスチェック" });
      await waitFor(() => expect(document.activeElement).toBe(health));
      expect(screen.getByRole("button", { name: "ヘルスチェック" }).getAttribute("aria-current")).toBe("page");
      expect(screen.queryByRole("heading", { level: 2, name: "AI アプリ" })).toBeNull();
    } finally {
      Element.prototype.scrollIntoView = original;
    }
  });

  it("shows a Start at login changed from the tray when the window comes back to the front", async () => {
    render(App);
    await fireEvent.click(await screen.findByRole("button", { name: "設定" }));
    const box = (await screen.findByTestId("autostart")) as HTMLInputElement;
    await waitFor(() => expect(box.disabled).toBe(false));
    expect(box.checked).toBe(false);
    // The user ticks it in the tray's menu, then returns to the window.
    ipc.autostartEnabled.mockResolvedValue(true);
    window.dispatchEvent(new Event("focus"));
    await waitFor(() => expect(box.checked).toBe(true));
  });

  it("opens the guide by itself on a first run, and from the tray's Set up… later", async () => {
    // Proves: with no app running ours and no usable provider, the guide heads the overview
    // (whose cards still load) until it is finished; otherwise the overview comes alone, and the
    // tray's "Set up…" (focus "guide") opens the guide's screen.
    const original = Element.prototype.scrollIntoView;
    Element.prototype.scrollIntoView = () => {};
    try {
      ipc.guideNeeded.mockResolvedValueOnce(true);
      render(App);
      expect(await screen.findByRole("heading", { level: 2, name: "MCP LLM Generator のセットアップ" })).toBeTruthy();
      expect(await screen.findByRole("heading", { level: 2, name: "状態" })).toBeTruthy();
      cleanup();

      render(App);
      await screen.findByRole("heading", { level: 2, name: "状態" });
      expect(screen.queryByRole("heading", { level: 2, name: "MCP LLM Generator のセットアップ" })).toBeNull();
      ipc.takeFocus.mockResolvedValueOnce("guide");
      const ring = ipc.onFocusRequest.mock.calls.at(-1)?.[0] as () => void;
      ring();
      expect(await screen.findByRole("heading", { level: 2, name: "MCP LLM Generator のセットアップ" })).toBeTruthy();

      // And from Settings.
      await fireEvent.click(screen.getByRole("button", { name: "設定" }));
      await waitFor(() => expect(screen.queryByRole("heading", { level: 2, name: "MCP LLM Generator のセットアップ" })).toBeNull());
      await fireEvent.click(await screen.findByRole("button", { name: "セットアップガイドを開く" }));
      expect(await screen.findByRole("heading", { level: 2, name: "MCP LLM Generator のセットアップ" })).toBeTruthy();
    } finally {
      Element.prototype.scrollIntoView = original;
    }
  });

  it("reads the overview again when the guide above it adds an app", async () => {
    // Proves: on a first run, once the guide has added our entry to an app, the overview beside
    // it counts that app instead of still saying that no app uses the server.
    ipc.guideNeeded.mockResolvedValueOnce(true);
    ipc.guideState.mockResolvedValue({
      clients: [{ id: "vscode", name: "VS Code", hasOurEntry: false, sampling: "offered", restart: "Restart." }],
      localServers: [],
      usableProvider: null,
    });
    ipc.guideAddClients.mockResolvedValue([{ change: { changed: true }, error: null }]);
    render(App);
    const apps = await screen.findByTestId("overview-apps");
    await waitFor(() => expect(apps.textContent).not.toContain("1 個"));
    ipc.clientsList.mockResolvedValue([{ id: "vscode", name: "VS Code", path: "/h/mcp.json", state: "configured" }]);
    await fireEvent.click(await screen.findByRole("button", { name: "チェックしたアプリに追加" }));
    await waitFor(() => expect(screen.getByTestId("overview-apps").textContent).toContain("1 個の AI アプリ"));
  });
});
