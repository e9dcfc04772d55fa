// Screen tests of the Templates screen with the IPC mocked: a new template's parameters reach the
// core as typed, core's validation sentence is shown next to the form, and "Try it" renders the
// stored template with the values filled in (or shows why it cannot).
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const ipc = vi.hoisted(() => ({
  templatesList: vi.fn(),
  templatesAdd: vi.fn(),
  templatesUpdate: vi.fn(),
  templatesDelete: vi.fn(),
  templatesReset: vi.fn(),
  templateRender: vi.fn(),
}));
vi.mock("./ipc", () => ({
  ipc,
  message: (e: unknown) => (e instanceof Error ? e.message : String(e)),
}));

import Templates from "./Templates.svelte";

const explain = {
  name: "explain-topic",
  description: "Explain a topic for a given audience.",
  systemPrompt: "You are a patient teacher for {audience}.",
  userMessage: "Explain {topic}.",
  parameters: [
    { name: "topic", description: "What to explain", required: true },
    { name: "audience", description: "Who reads it", required: false, default: "a curious adult" },
  ],
  builtin: true,
  createdAt: "2026-11-20T10:00:00Z",
  updatedAt: "2026-11-20T10:00:00Z",
};

describe("Templates", () => {
  afterEach(cleanup);
  beforeEach(() => {
    for (const f of Object.values(ipc)) f.mockReset();
    ipc.templatesList.mockResolvedValue({ items: [explain], builtins: ["explain-topic", "summarize"] });
  });

  it("adds a template with its parameters and shows core's sentence about an undeclared placeholder", async () => {
    ipc.templatesAdd.mockRejectedValueOnce(
      new Error("Template 'digest' uses {who} but declares no parameter of that name. Add it to 'parameters', or write {{ and }} for literal braces."),
    );
    render(Templates);
    await fireEvent.click(await screen.findByRole("button", { name: "New template" }));
    const form = screen.getByRole("form", { name: "New template" });
    await fireEvent.input(within(form).getByLabelText(/^Name/), { target: { value: "digest" } });
    await fireEvent.input(within(form).getByLabelText(/^User message/), { target: { value: "Digest {news} for {who}." } });
    await fireEvent.click(within(form).getByRole("button", { name: "Add parameter" }));
    const param = within(form).getByRole("group", { name: "Parameter 1" });
    await fireEvent.input(within(param).getByLabelText("Name"), { target: { value: "news" } });
    await fireEvent.input(within(param).getByLabelText("Description"), { target: { value: "Headlines" } });
    await fireEvent.input(within(param).getByLabelText("Default"), { target: { value: "today's news" } });
    await fireEvent.click(within(param).getByLabelText("Required"));
    await fireEvent.click(within(form).getByRole("button", { name: "Create" }));
    expect((await within(form).findByRole("alert")).textContent).toContain("uses {who} but declares no parameter");
    expect(ipc.templatesAdd).toHaveBeenCalledWith({
      name: "digest",
      description: "",
      systemPrompt: "",
      userMessage: "Digest {news} for {who}.",
      parameters: [{ name: "news", description: "Headlines", required: false, default: "today's news" }],
    });
    // The form stays open with what was typed, so the person can fix it.
    expect((within(form).getByLabelText(/^User message/) as HTMLTextAreaElement).value).toBe("Digest {news} for {who}.");
  });

  it("sends an edit with the template's parameters, an empty default meaning none", async () => {
    ipc.templatesUpdate.mockResolvedValue(explain);
    render(Templates);
    const row = await screen.findByTestId("template-explain-topic");
    await fireEvent.click(within(row).getByRole("button", { name: "Edit" }));
    const form = screen.getByRole("form", { name: "Edit explain-topic" });
    const second = within(form).getByRole("group", { name: "Parameter 2" });
    await fireEvent.input(within(second).getByLabelText("Default"), { target: { value: "" } });
    await fireEvent.click(within(form).getByRole("button", { name: "Remove parameter 1" }));
    await fireEvent.click(within(form).getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(ipc.templatesUpdate).toHaveBeenCalledWith("explain-topic", {
        description: explain.description,
        systemPrompt: explain.systemPrompt,
        userMessage: explain.userMessage,
        parameters: [{ name: "audience", description: "Who reads it", required: false, default: null }],
      }),
    );
    expect(await screen.findByText("Saved explain-topic.")).toBeTruthy();
  });

  it("renders with the values typed in Try it, and shows a render error", async () => {
    ipc.templateRender.mockRejectedValueOnce(
      new Error("Template 'explain-topic' needs a value for 'topic'. Pass them in 'args', e.g. {\"topic\": \"...\"}."),
    );
    ipc.templateRender.mockResolvedValueOnce({
      systemPrompt: "You are a patient teacher for a curious adult.",
      userMessage: "Explain tides.",
    });
    render(Templates);
    const row = await screen.findByTestId("template-explain-topic");
    await fireEvent.click(within(row).getByRole("button", { name: "Try it" }));
    const panel = screen.getByRole("form", { name: "Try explain-topic" });
    await fireEvent.click(within(panel).getByRole("button", { name: "Render" }));
    expect((await within(panel).findByRole("alert")).textContent).toContain("needs a value for 'topic'");
    expect(ipc.templateRender).toHaveBeenCalledWith("explain-topic", { topic: "", audience: "" });
    await fireEvent.input(within(panel).getByLabelText(/^topic/), { target: { value: "tides" } });
    await fireEvent.click(within(panel).getByRole("button", { name: "Render" }));
    expect(ipc.templateRender).toHaveBeenLastCalledWith("explain-topic", { topic: "tides", audience: "" });
    expect((await screen.findByTestId("rendered-user")).textContent).toBe("Explain tides.");
    expect(screen.getByTestId("rendered-system").textContent).toBe("You are a patient teacher for a curious adult.");
    expect(within(panel).queryByRole("alert")).toBeNull();
  });

  it("shows Try it or the form, never both, and closes Try it when its template is deleted", async () => {
    render(Templates);
    const row = await screen.findByTestId("template-explain-topic");
    await fireEvent.click(within(row).getByRole("button", { name: "Edit" }));
    await fireEvent.click(within(row).getByRole("button", { name: "Try it" }));
    expect(screen.getByRole("form", { name: "Try explain-topic" })).toBeTruthy();
    expect(screen.queryByRole("form", { name: "Edit explain-topic" })).toBeNull();
    await fireEvent.click(within(row).getByRole("button", { name: "Edit" }));
    expect(screen.getByRole("form", { name: "Edit explain-topic" })).toBeTruthy();
    expect(screen.queryByRole("form", { name: "Try explain-topic" })).toBeNull();
    await fireEvent.click(within(screen.getByRole("form")).getByRole("button", { name: "Cancel" }));
    await fireEvent.click(within(row).getByRole("button", { name: "Try it" }));
    await fireEvent.click(within(row).getByRole("button", { name: "Delete…" }));
    await fireEvent.click(within(row).getByRole("button", { name: "Delete" }));
    expect(ipc.templatesDelete).toHaveBeenCalledWith("explain-topic");
    await waitFor(() => expect(screen.queryByRole("form", { name: "Try explain-topic" })).toBeNull());
  });

  it("offers to restore a deleted built-in and says when nothing matches a search", async () => {
    ipc.templatesReset.mockResolvedValue({ ...explain, name: "summarize" });
    render(Templates);
    await fireEvent.input(await screen.findByLabelText("Search templates"), { target: { value: "poem" } });
    expect(screen.getByText("No template matches “poem”.")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Restore summarize" }));
    expect(ipc.templatesReset).toHaveBeenCalledWith("summarize");
  });

  it("has a designed empty state", async () => {
    ipc.templatesList.mockResolvedValue({ items: [], builtins: [] });
    render(Templates);
    expect(await screen.findByText(/No templates yet/)).toBeTruthy();
  });
});
