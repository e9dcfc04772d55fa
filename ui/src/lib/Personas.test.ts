// Screen tests of the Personas screen with the IPC mocked: creating and editing send exactly what
// the form holds to the core commands, the core's validation sentence is shown next to the form,
// search filters by name and description, and delete and reset ask first.
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const ipc = vi.hoisted(() => ({
  personasList: vi.fn(),
  personasAdd: vi.fn(),
  personasUpdate: vi.fn(),
  personasDelete: vi.fn(),
  personasReset: vi.fn(),
  personasTeam: vi.fn(),
  personaView: vi.fn(),
}));
vi.mock("./ipc", () => ({
  ipc,
  message: (e: unknown) => (e instanceof Error ? e.message : String(e)),
}));

import Personas from "./Personas.svelte";

const persona = (name: string, description: string, builtin = false, temperature?: number) => ({
  name,
  description,
  systemPrompt: `You are ${name}.`,
  personality: "",
  settings: temperature == null ? {} : { temperature },
  parent: null,
  role: "assistant",
  expertise: [],
  restrictions: [],
  builtin,
  createdAt: "2026-11-20T10:00:00Z",
  updatedAt: "2026-11-20T10:00:00Z",
});
const advisor = persona("rational-advisor", "A logical advisor who weighs options.", true, 0.3);
const chef = persona("chef", "Cooks dinner ideas.");

describe("Personas", () => {
  afterEach(cleanup);
  beforeEach(() => {
    for (const f of Object.values(ipc)) f.mockReset();
    ipc.personasList.mockResolvedValue({ items: [chef, advisor], builtins: ["calm-counselor", "rational-advisor"] });
    ipc.personasTeam.mockResolvedValue([chef, advisor].map((p) => ({ ...p, depth: 0 })));
    ipc.personaView.mockImplementation(async (name: string) => ({
      ...persona(name, ""),
      effectiveSystemPrompt: `You are ${name}.`,
      effectiveRestrictions: [],
      ancestors: [],
      children: [],
    }));
  });

  it("creates a persona from the form and shows core's validation sentence next to it", async () => {
    ipc.personasAdd.mockRejectedValueOnce(
      new Error("Persona 'travel' needs a non-empty systemPrompt: it tells the model who to be."),
    );
    ipc.personasAdd.mockResolvedValueOnce(persona("travel", ""));
    render(Personas);
    await fireEvent.click(await screen.findByRole("button", { name: "New persona" }));
    const form = screen.getByRole("form", { name: "New persona" });
    await fireEvent.input(within(form).getByLabelText(/^Name/), { target: { value: " travel " } });
    await fireEvent.input(within(form).getByLabelText("Temperature"), { target: { value: "0.4" } });
    await fireEvent.click(within(form).getByRole("button", { name: "Create" }));
    // The sentence is inside the form, where the person is looking.
    expect((await within(form).findByRole("alert")).textContent).toContain("needs a non-empty systemPrompt");
    expect(ipc.personasAdd).toHaveBeenCalledWith({
      name: "travel",
      description: "",
      systemPrompt: "",
      personality: "",
      settings: { temperature: 0.4, maxTokens: null, maxHistoryTokens: null, expiryDays: null },
      parent: "",
      role: "assistant",
      expertise: [],
      restrictions: [],
    });
    await fireEvent.input(within(form).getByLabelText("System prompt"), { target: { value: "You plan trips." } });
    await fireEvent.click(within(form).getByRole("button", { name: "Create" }));
    expect(await screen.findByText("Created travel.")).toBeTruthy();
    expect(ipc.personasAdd).toHaveBeenLastCalledWith(expect.objectContaining({ systemPrompt: "You plan trips." }));
    expect(screen.queryByRole("form")).toBeNull();
  });

  it("edits a persona with the changed fields and its current settings", async () => {
    ipc.personasUpdate.mockResolvedValue(advisor);
    render(Personas);
    const row = await screen.findByTestId("persona-rational-advisor");
    await fireEvent.click(within(row).getByRole("button", { name: "Edit" }));
    const form = screen.getByRole("form", { name: "Edit rational-advisor" });
    await fireEvent.input(within(form).getByLabelText("Description"), { target: { value: "Weighs evidence." } });
    await fireEvent.click(within(form).getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(ipc.personasUpdate).toHaveBeenCalledWith("rational-advisor", {
        description: "Weighs evidence.",
        systemPrompt: "You are rational-advisor.",
        personality: "",
        settings: { temperature: 0.3, maxTokens: null, maxHistoryTokens: null, expiryDays: null },
        parent: "",
        role: "assistant",
        expertise: [],
        restrictions: [],
      }),
    );
  });

  it("filters by name or description", async () => {
    render(Personas);
    const search = await screen.findByLabelText("Search personas");
    await fireEvent.input(search, { target: { value: "DINNER" } });
    expect(screen.getByTestId("persona-chef")).toBeTruthy();
    expect(screen.queryByTestId("persona-rational-advisor")).toBeNull();
    await fireEvent.input(search, { target: { value: "zzz" } });
    expect(screen.getByText("No persona matches “zzz”.")).toBeTruthy();
  });

  it("deletes only after a confirmation and shows a failure", async () => {
    ipc.personasDelete.mockRejectedValue(new Error("Persona 'chef' was not found. List personas with persona-manage action 'list'."));
    render(Personas);
    const row = await screen.findByTestId("persona-chef");
    await fireEvent.click(within(row).getByRole("button", { name: "Delete…" }));
    expect(ipc.personasDelete).not.toHaveBeenCalled();
    await fireEvent.click(within(row).getByRole("button", { name: "Delete" }));
    expect(ipc.personasDelete).toHaveBeenCalledWith("chef");
    expect((await screen.findByRole("alert")).textContent).toContain("Persona 'chef' was not found.");
  });

  it("offers reset on built-ins and restores a deleted built-in", async () => {
    ipc.personasReset.mockResolvedValue(persona("calm-counselor", "", true));
    render(Personas);
    expect(within(await screen.findByTestId("persona-rational-advisor")).getByRole("button", { name: "Reset…" })).toBeTruthy();
    expect(within(screen.getByTestId("persona-chef")).queryByRole("button", { name: "Reset…" })).toBeNull();
    await fireEvent.click(screen.getByRole("button", { name: "Restore calm-counselor" }));
    expect(ipc.personasReset).toHaveBeenCalledWith("calm-counselor");
    expect(await screen.findByText("calm-counselor is back as shipped.")).toBeTruthy();
  });

  it("shows loading, then an error with a way to try again", async () => {
    ipc.personasList.mockRejectedValueOnce(new Error("Database error: disk I/O error."));
    render(Personas);
    expect(screen.getByText("Loading personas…")).toBeTruthy();
    expect((await screen.findByRole("alert")).textContent).toContain("disk I/O error");
    await fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId("persona-chef")).toBeTruthy();
  });
});
