// Screen tests of the Personas screen's team, with the IPC mocked: the rows are drawn as the
// core's tree with each persona's role; the editor sends the parent, role, expertise and
// restrictions as typed and shows what is in force (each rule with its source, the effective
// prompt); the core's refusals (a cycle, deleting a persona that heads others) are shown as
// worded.
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
import { parentChoices, ruleLines } from "./personas/team";

const persona = (name: string, parent: string | null, role: string, restrictions: string[] = [], expertise: string[] = []) => ({
  name,
  description: "",
  systemPrompt: `You are ${name}.`,
  personality: "",
  settings: {},
  parent,
  role,
  expertise,
  restrictions,
  builtin: false,
  createdAt: "2026-12-08T00:00:00Z",
  updatedAt: "2026-12-08T00:00:00Z",
});
const lead = persona("lead", null, "lead", ["Never share secrets."]);
const writer = persona("writer", "lead", "specialist", ["Keep it short."], ["poems", "haiku"]);
const poet = persona("poet", "writer", "assistant");
const solo = persona("solo", null, "observer");
// The core's tree order: each root by name, then its children depth first.
const tree = [
  { ...lead, depth: 0 },
  { ...writer, depth: 1 },
  { ...poet, depth: 2 },
  { ...solo, depth: 0 },
];

describe("Personas as a team", () => {
  afterEach(cleanup);
  beforeEach(() => {
    for (const f of Object.values(ipc)) f.mockReset();
    ipc.personasList.mockResolvedValue({ items: [lead, poet, solo, writer], builtins: [] });
    ipc.personasTeam.mockResolvedValue(tree);
    ipc.personaView.mockResolvedValue({
      ...writer,
      effectiveSystemPrompt: "You are writer.\n\nRules you must always follow:\n- Keep it short.\n- Never share secrets. (set by 'lead')",
      effectiveRestrictions: [
        { from: "writer", rule: "Keep it short." },
        { from: "lead", rule: "Never share secrets." },
      ],
      ancestors: ["lead"],
      children: ["poet"],
    });
  });

  it("draws the rows as the team's tree with each role, and a search as a flat list", async () => {
    render(Personas);
    const leadRow = await screen.findByTestId("persona-lead");
    expect(within(leadRow).getByTestId("persona-role").textContent).toBe("Lead");
    // The writer's row sits in the list under the lead's row, the poet's under the writer's.
    const underLead = leadRow.parentElement?.querySelector("ul.nested") as HTMLElement;
    expect(within(underLead).getByTestId("persona-writer")).toBeTruthy();
    const underWriter = screen.getByTestId("persona-writer").parentElement?.querySelector("ul.nested") as HTMLElement;
    expect(within(underWriter).getByTestId("persona-poet")).toBeTruthy();
    expect(underLead.contains(screen.getByTestId("persona-solo"))).toBe(false);
    expect(within(screen.getByTestId("persona-writer")).getByText("expertise: poems, haiku")).toBeTruthy();
    const top = [...document.querySelectorAll("ul.rows:not(.nested) > li > [data-testid]")].map((e) => e.getAttribute("data-testid"));
    expect(top).toEqual(["persona-lead", "persona-solo"]);

    await fireEvent.input(screen.getByLabelText("Search personas"), { target: { value: "o" } });
    expect(document.querySelector("ul.nested")).toBeNull();
    expect(screen.getByTestId("persona-poet")).toBeTruthy();
  });

  it("sends the parent, role, expertise and restrictions and shows what is in force", async () => {
    ipc.personasUpdate.mockResolvedValue(writer);
    render(Personas);
    await fireEvent.click(within(await screen.findByTestId("persona-writer")).getByRole("button", { name: "Edit" }));
    const form = screen.getByRole("form", { name: "Edit writer" });
    const parent = within(form).getByLabelText(/^Parent/) as HTMLSelectElement;
    expect(parent.value).toBe("lead");
    // Every other persona but those below it (poet, which the core refuses as a cycle), never
    // itself; "none" makes it a root.
    expect([...parent.options].map((o) => o.value)).toEqual(["", "lead", "solo"]);
    const lead = within(form).getByRole("radio", { name: /^Specialist/ }) as HTMLInputElement;
    expect(lead.checked).toBe(true);
    expect(within(form).getByText(/Delegates to the personas below it/)).toBeTruthy();

    // What is in force, as the core computed it: each rule with its source, then the prompt.
    const inForce = await within(form).findByTestId("persona-effective-prompt");
    expect(inForce.textContent).toContain("Never share secrets. (set by 'lead')");
    const rules = within(form).getAllByTestId("persona-rule").map((r) => r.textContent?.replace(/\s+/g, " ").trim());
    expect(rules).toEqual(["Keep it short. its own", "Never share secrets. inherited from lead"]);
    expect(within(form).getByText("Above it: lead")).toBeTruthy();
    expect(ipc.personaView).toHaveBeenCalledWith("writer");

    await fireEvent.change(parent, { target: { value: "" } });
    await fireEvent.click(within(form).getByRole("radio", { name: /^Reviewer/ }));
    await fireEvent.input(within(form).getByLabelText(/^Expertise/), { target: { value: "poems, 俳句、 poems" } });
    await fireEvent.input(within(form).getByLabelText(/^Restrictions/), {
      target: { value: "Keep it short.\n\n  Cite sources.  \n" },
    });
    await fireEvent.click(within(form).getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(ipc.personasUpdate).toHaveBeenCalledWith(
        "writer",
        expect.objectContaining({
          parent: "",
          role: "reviewer",
          expertise: ["poems", "俳句"],
          restrictions: ["Keep it short.", "Cite sources."],
        }),
      ),
    );
  });

  it("shows the core's refusals as worded: a cycle in the form, deleting a head in the list", async () => {
    const cycle =
      "Persona 'lead' cannot have 'poet' as its parent: 'poet' is below 'lead', so the team would go round in a circle (lead → poet → writer → lead).";
    ipc.personasUpdate.mockRejectedValue(new Error(cycle));
    const heads = "Persona 'lead' heads 1 persona(s) (writer): give them another parent first, then delete it.";
    ipc.personasDelete.mockRejectedValue(new Error(heads));
    render(Personas);
    await fireEvent.click(within(await screen.findByTestId("persona-lead")).getByRole("button", { name: "Edit" }));
    const form = screen.getByRole("form", { name: "Edit lead" });
    await fireEvent.change(within(form).getByLabelText(/^Parent/), { target: { value: "poet" } });
    await fireEvent.click(within(form).getByRole("button", { name: "Save" }));
    expect((await within(form).findByRole("alert")).textContent).toBe(cycle);
    await fireEvent.click(within(form).getByRole("button", { name: "Cancel" }));

    const row = screen.getByTestId("persona-lead");
    await fireEvent.click(within(row).getByRole("button", { name: "Delete…" }));
    await fireEvent.click(within(row).getByRole("button", { name: "Delete" }));
    expect(ipc.personasDelete).toHaveBeenCalledWith("lead");
    expect((await screen.findByRole("alert")).textContent).toBe(heads);
  });

  it("offers a head none of the personas below it as its parent", async () => {
    render(Personas);
    await fireEvent.click(within(await screen.findByTestId("persona-lead")).getByRole("button", { name: "Edit" }));
    const parent = within(screen.getByRole("form", { name: "Edit lead" })).getByLabelText(/^Parent/) as HTMLSelectElement;
    expect([...parent.options].map((o) => o.value)).toEqual(["", "solo"]);
  });

  it("still lists the personas by name when the tree cannot be read, and offers them as parents", async () => {
    ipc.personasTeam.mockRejectedValue(new Error("Database error: busy."));
    render(Personas);
    await screen.findByTestId("persona-lead");
    expect(document.querySelector("ul.nested")).toBeNull();
    const names = [...document.querySelectorAll("[data-testid^=persona-] strong")].map((e) => e.textContent);
    expect(names).toEqual(["lead", "poet", "solo", "writer"]);
    await fireEvent.click(within(screen.getByTestId("persona-writer")).getByRole("button", { name: "Edit" }));
    const parent = within(screen.getByRole("form", { name: "Edit writer" })).getByLabelText(/^Parent/) as HTMLSelectElement;
    // Without the tree the core judges a cycle on saving; every other listed persona is offered.
    expect([...parent.options].map((o) => o.value)).toEqual(["", "lead", "poet", "solo"]);
  });
});

describe("parentChoices", () => {
  const members = tree.map(({ name, depth }) => ({ name, depth }));
  it("leaves out the persona itself and the members below it, up to the next one as high", () => {
    expect(parentChoices("writer", members, [])).toEqual(["lead", "solo"]);
    expect(parentChoices("lead", members, [])).toEqual(["solo"]);
    expect(parentChoices("poet", members, [])).toEqual(["lead", "solo", "writer"]);
    expect(parentChoices("solo", members, [])).toEqual(["lead", "poet", "writer"]);
    expect(parentChoices(null, members, [])).toEqual(["lead", "poet", "solo", "writer"]);
  });
  it("offers every listed persona but itself when the tree could not be read", () => {
    expect(parentChoices("writer", null, ["writer", "solo", "lead"])).toEqual(["lead", "solo"]);
  });
});

describe("ruleLines", () => {
  it("keeps one rule per line, trimmed, without empty lines or repeats", () => {
    expect(ruleLines("  Be brief. \r\n\nBe brief.\nCite sources.")).toEqual(["Be brief.", "Cite sources."]);
    expect(ruleLines("")).toEqual([]);
  });
});
