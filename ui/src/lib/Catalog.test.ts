// Tests of the catalog component itself, with a screen's parts given as raw snippets and the
// kind's commands mocked: which field a form opens at, what a save sends to which command, that
// deleting the item being edited closes its form, that a row shows the screen's detail and extra
// actions, and that the screen can close the form.
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { createRawSnippet } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// The kind's commands, as the component finds them by name.
const ipc = vi.hoisted(() => ({
  personasList: vi.fn(),
  personasAdd: vi.fn(),
  personasUpdate: vi.fn(),
  personasDelete: vi.fn(),
  personasReset: vi.fn(),
}));
vi.mock("./ipc", () => ({
  ipc,
  message: (e: unknown) => (e instanceof Error ? e.message : String(e)),
}));

import Catalog from "./Catalog.svelte";
import type { Persona } from "./ipc";

type Draft = { description: string; prompt: string };

const item = (name: string, description: string, builtin = false): Persona => ({
  name,
  description,
  systemPrompt: `${name}'s prompt`,
  personality: "",
  settings: {},
  parent: null,
  role: "assistant",
  expertise: [],
  restrictions: [],
  builtin,
  createdAt: "2026-11-20T10:00:00Z",
  updatedAt: "2026-11-20T10:00:00Z",
});

// The screen's field: a Prompt textarea bound to the draft.
const fields = createRawSnippet<[Draft, boolean]>((draft) => ({
  render: () => "<label>Prompt <textarea></textarea></label>",
  setup(node) {
    const area = node.querySelector("textarea") as HTMLTextAreaElement;
    area.value = draft().prompt;
    area.addEventListener("input", () => (draft().prompt = area.value));
  },
}));
const intro = createRawSnippet(() => ({ render: () => "<span>Notes to keep.</span>" }));
const actions = createRawSnippet<[Persona]>((p) => ({
  render: () => `<button type="button">Peek ${p().name}</button>`,
}));

const badges = createRawSnippet<[Persona]>((p) => ({
  render: () => `<span class="badge">${p().name.length} letters</span>`,
}));

function setup(tree: Record<string, unknown> = {}) {
  const ondelete = vi.fn();
  const view = render(Catalog<"personas", Draft>, {
    props: {
      ...tree,
      kind: "personas",
      rowTestId: "note",
      draft: (p: Persona | null) => ({ description: p?.description ?? "", prompt: p?.systemPrompt ?? "" }),
      payload: (d: Draft) => ({ systemPrompt: d.prompt }),
      intro,
      fields,
      actions,
      detail: (p: Persona) => (p.builtin ? `${p.name} ships with the app` : null),
      editFocus: "textarea",
      ondelete,
    },
  });
  return { ondelete, view };
}

describe("Catalog", () => {
  afterEach(cleanup);
  beforeEach(() => {
    for (const f of Object.values(ipc)) f.mockReset();
    ipc.personasList.mockResolvedValue({ items: [item("alpha", "First", true), item("beta", "Second")], builtins: ["alpha"] });
    ipc.personasAdd.mockImplementation(async (p: { name: string }) => item(p.name, ""));
    ipc.personasUpdate.mockImplementation(async (name: string) => item(name, ""));
    ipc.personasDelete.mockResolvedValue(null);
  });

  it("opens a new item at its name, sends the trimmed name and the draft, and lists again", async () => {
    setup();
    await fireEvent.click(await screen.findByRole("button", { name: "New persona" }));
    const form = screen.getByRole("form", { name: "New persona" });
    const name = within(form).getByLabelText(/^Name/);
    expect(document.activeElement).toBe(name);
    await fireEvent.input(name, { target: { value: " gamma " } });
    await fireEvent.input(within(form).getByLabelText("Description"), { target: { value: "Third" } });
    await fireEvent.input(within(form).getByLabelText("Prompt"), { target: { value: "Hello" } });
    await fireEvent.click(within(form).getByRole("button", { name: "Create" }));
    expect(await screen.findByText("Created gamma.")).toBeTruthy();
    expect(ipc.personasAdd).toHaveBeenCalledWith({ name: "gamma", description: "Third", systemPrompt: "Hello" });
    expect(ipc.personasList).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole("form")).toBeNull();
  });

  it("opens an edited item at the field the screen chose, with its values", async () => {
    setup();
    await fireEvent.click(within(await screen.findByTestId("note-beta")).getByRole("button", { name: "Edit" }));
    const form = screen.getByRole("form", { name: "Edit beta" });
    const prompt = within(form).getByLabelText("Prompt") as HTMLTextAreaElement;
    expect(document.activeElement).toBe(prompt);
    expect(prompt.value).toBe("beta's prompt");
    expect(within(form).queryByLabelText(/^Name/)).toBeNull();
    await fireEvent.click(within(form).getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(ipc.personasUpdate).toHaveBeenCalledWith("beta", { description: "Second", systemPrompt: "beta's prompt" }),
    );
    expect(await screen.findByText("Saved beta.")).toBeTruthy();
  });

  it("closes the form of an item that is deleted, and tells the screen", async () => {
    const { ondelete } = setup();
    const row = await screen.findByTestId("note-beta");
    await fireEvent.click(within(row).getByRole("button", { name: "Edit" }));
    expect(screen.getByRole("form", { name: "Edit beta" })).toBeTruthy();
    await fireEvent.click(within(row).getByRole("button", { name: "Delete…" }));
    await fireEvent.click(within(row).getByRole("button", { name: "Delete" }));
    expect(ipc.personasDelete).toHaveBeenCalledWith("beta");
    expect(await screen.findByText("Deleted beta. Contexts made from it keep their own copy.")).toBeTruthy();
    expect(screen.queryByRole("form")).toBeNull();
    expect(ondelete).toHaveBeenCalledWith("beta");
  });

  it("shows the screen's intro, a row's detail and its extra actions", async () => {
    setup();
    const alpha = await screen.findByTestId("note-alpha");
    expect(screen.getByText("Notes to keep.")).toBeTruthy();
    expect(within(alpha).getByText("alpha ships with the app")).toBeTruthy();
    expect(within(alpha).getByRole("button", { name: "Peek alpha" })).toBeTruthy();
    expect(within(screen.getByTestId("note-beta")).queryByText(/ships with the app/)).toBeNull();
  });

  it("draws the rows in the screen's tree order, each under its parent, with the screen's badges", async () => {
    ipc.personasList.mockResolvedValue({ items: [item("alpha", ""), item("beta", ""), item("gamma", "")], builtins: [] });
    const order = vi.fn().mockResolvedValue([
      { name: "gamma", depth: 0 },
      { name: "alpha", depth: 1 },
      { name: "beta", depth: 0 },
    ]);
    setup({ order, badges });
    const alpha = await screen.findByTestId("note-alpha");
    // alpha sits in the list below gamma's row, which comes first; beta is a root after it.
    const top = [...document.querySelectorAll("ul.rows:not(.nested) > li > [data-testid]")].map((e) => e.getAttribute("data-testid"));
    expect(top).toEqual(["note-gamma", "note-beta"]);
    expect(alpha.closest("ul.nested")?.parentElement?.querySelector(":scope > [data-testid]")?.getAttribute("data-testid")).toBe("note-gamma");
    expect(within(alpha).getByText("5 letters")).toBeTruthy();
    // The tree is read again with the list after a change.
    await fireEvent.click(within(alpha).getByRole("button", { name: "Delete…" }));
    await fireEvent.click(within(alpha).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(order).toHaveBeenCalledTimes(2));
  });

  it("lets the screen close the form", async () => {
    const { view } = setup();
    await fireEvent.click(await screen.findByRole("button", { name: "New persona" }));
    expect(screen.getByRole("form")).toBeTruthy();
    view.component.closeForm();
    await waitFor(() => expect(screen.queryByRole("form")).toBeNull());
  });
});
