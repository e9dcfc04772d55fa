// Screen tests of the first-run guide with the IPC mocked: the apps found are pre-ticked and
// added in one click (the exact change one click away), each app says whether it lends its
// model, a local server or a key tested on the spot becomes the way text is generated, and the
// last step says what to restart in each app and what to paste to try it, in both languages.
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const ipc = vi.hoisted(() => ({
  guideState: vi.fn(),
  guideAddClients: vi.fn(),
  guideUseLocalServer: vi.fn(),
  guideUseKey: vi.fn(),
  clientsPreview: vi.fn(),
}));
vi.mock("./ipc", () => ({
  ipc,
  message: (e: unknown) => (e instanceof Error ? e.message : String(e)),
}));

import Guide from "./Guide.svelte";
import { setChoice } from "./i18n.svelte";

const vscode = { id: "vscode", name: "VS Code", hasOurEntry: false, sampling: "offered", restart: "Run MCP: List Servers." };
const claude = { id: "claude-desktop", name: "Claude Desktop", hasOurEntry: false, sampling: "not-offered", restart: "Quit Claude Desktop completely." };
const cursor = { id: "cursor", name: "Cursor", hasOurEntry: true, sampling: "not-offered", restart: "Restart Cursor." };
const ollama = { kind: "ollama", baseUrl: "http://127.0.0.1:11434/v1", answer: { state: "ready", models: ["llama3.2", "qwen3"] } };
const closed = { kind: "jan", baseUrl: "http://127.0.0.1:1337/v1", answer: { state: "notRunning", detail: "refused" } };

const state = (over = {}) => ({ clients: [vscode, claude, cursor], localServers: [ollama, closed], usableProvider: null, ...over });
const next = () => fireEvent.click(screen.getByRole("button", { name: "Next" }));

describe("Guide", () => {
  afterEach(cleanup);
  beforeEach(() => {
    for (const f of Object.values(ipc)) f.mockReset();
    setChoice("en");
    ipc.guideState.mockResolvedValue(state());
  });

  it("pre-ticks the apps without our entry, shows the exact change, and adds to the ticked ones", async () => {
    ipc.clientsPreview.mockResolvedValue({ id: "vscode", path: "/h/.config/Code/User/mcp.json", changed: true, diff: '+    "llm-generator": {', backup: null, restart: "" });
    ipc.guideAddClients.mockResolvedValue([{ change: { changed: true }, error: null }]);
    render(Guide);
    const box = (id: string) => within(screen.getByTestId(`guide-app-${id}`)).getByRole("checkbox") as HTMLInputElement;
    await screen.findByTestId("guide-app-vscode");
    expect([box("vscode").checked, box("claude-desktop").checked]).toEqual([true, true]);
    expect(box("cursor").disabled).toBe(true);
    expect(within(screen.getByTestId("guide-app-cursor")).getByText("(already set up)")).toBeTruthy();

    const details = within(screen.getByTestId("guide-app-vscode")).getByText("Details").closest("details") as HTMLDetailsElement;
    details.open = true;
    await fireEvent(details, new Event("toggle"));
    expect(await screen.findByLabelText("Change to VS Code")).toHaveProperty("textContent", '+    "llm-generator": {');
    expect(ipc.clientsPreview).toHaveBeenCalledWith("vscode");

    await fireEvent.click(box("claude-desktop"));
    await fireEvent.click(screen.getByRole("button", { name: "Add to the ticked apps" }));
    await waitFor(() => expect(ipc.guideAddClients).toHaveBeenCalledWith(["vscode"]));
    expect(await screen.findByText("Added to VS Code.")).toBeTruthy();
  });

  it("says which apps lend their model and makes a found local server the default", async () => {
    ipc.guideUseLocalServer.mockResolvedValue("ollama");
    render(Guide);
    await screen.findByTestId("guide-app-vscode");
    await next();
    expect(screen.getByTestId("guide-sampling-vscode").textContent).toBe("VS Code lends its own model: nothing more is needed for it.");
    expect(screen.getByTestId("guide-sampling-claude-desktop").textContent).toContain("cannot lend its model");
    expect(screen.getByTestId("guide-sampling-cursor")).toBeTruthy();
    const servers = screen.getAllByTestId("guide-local-server");
    expect(servers).toHaveLength(1);
    expect(servers[0].textContent).toContain("Ollama at http://127.0.0.1:11434/v1");
    await fireEvent.change(within(servers[0]).getByRole("combobox"), { target: { value: "qwen3" } });
    await fireEvent.click(within(servers[0]).getByRole("button", { name: "Use this" }));
    await waitFor(() => expect(ipc.guideUseLocalServer).toHaveBeenCalledWith("http://127.0.0.1:11434/v1", "qwen3"));
    expect(await screen.findByText("Done: text is now generated on this computer by Ollama.")).toBeTruthy();
  });

  it("tests a key on the spot and says why one did not work", async () => {
    ipc.guideState.mockResolvedValue(state({ localServers: [closed] }));
    ipc.guideUseKey.mockResolvedValueOnce({ verdict: "rejected", status: 401 }).mockResolvedValueOnce({ verdict: "works" });
    render(Guide);
    await screen.findByTestId("guide-app-vscode");
    await next();
    expect(screen.getByText(/No model server \(Ollama, LM Studio/)).toBeTruthy();
    const key = screen.getByLabelText("API key") as HTMLInputElement;
    await fireEvent.input(key, { target: { value: "sk-wrong" } });
    await fireEvent.click(screen.getByRole("button", { name: "Test and use" }));
    expect(await screen.findByText("Anthropic refused this key (HTTP 401). Check that it was copied whole.")).toBeTruthy();
    expect(ipc.guideUseKey).toHaveBeenCalledWith("anthropic", "sk-wrong");
    await fireEvent.change(screen.getByLabelText("Provider"), { target: { value: "openai" } });
    await fireEvent.input(key, { target: { value: "sk-right" } });
    await fireEvent.click(screen.getByRole("button", { name: "Test and use" }));
    expect(await screen.findByText(/The key works\. .* OpenAI is used from now on\./)).toBeTruthy();
    expect(ipc.guideUseKey).toHaveBeenLastCalledWith("openai", "sk-right");
    expect(key.value).toBe("");
  });

  it("ends with what to restart in each app and a sentence to try, in English and Japanese", async () => {
    const onclose = vi.fn();
    const future = { id: "future-app", name: "Future", hasOurEntry: true, sampling: "unknown", restart: "Reload Future." };
    ipc.guideState.mockResolvedValue(state({ clients: [vscode, claude, cursor, future] }));
    render(Guide, { onclose });
    await screen.findByTestId("guide-app-vscode");
    await next();
    await next();
    expect(screen.getByTestId("guide-restart-claude-desktop").textContent).toBe(
      "Claude Desktop: Quit Claude Desktop completely (from the tray or menu bar, not just the window) and start it again.",
    );
    // An app this build has no words for: core's own sentence.
    expect(screen.getByTestId("guide-restart-future-app").textContent).toBe("Future: Reload Future.");
    expect(screen.getByTestId("guide-restart-cursor")).toBeTruthy();
    expect(screen.getByText(/not set up yet for apps that cannot lend their model/)).toBeTruthy();
    expect(screen.getByTestId("guide-sentence").textContent).toContain("llm-generate");
    await fireEvent.click(screen.getByRole("button", { name: "Finish" }));
    expect(onclose).toHaveBeenCalled();

    setChoice("ja");
    await waitFor(() => expect(screen.getByTestId("guide-restart-claude-desktop").textContent).toContain("Claude Desktop を完全に終了"));
    expect(screen.getByRole("heading", { level: 3, name: "完了" })).toBeTruthy();
  });

  it("says Copied only when the clipboard took the sentence", async () => {
    const writeText = vi.fn().mockRejectedValue(new Error("no clipboard here"));
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    render(Guide);
    await screen.findByTestId("guide-app-vscode");
    await next();
    await next();
    await fireEvent.click(screen.getByRole("button", { name: "Copy" }));
    await waitFor(() => expect(writeText).toHaveBeenCalled());
    expect(screen.queryByText("Copied.")).toBeNull();

    writeText.mockResolvedValue(undefined);
    await fireEvent.click(screen.getByRole("button", { name: "Copy" }));
    expect(await screen.findByText("Copied.")).toBeTruthy();
  });
});
