// Screen tests of the Memory screen with the IPC mocked: the search sends its words and filters
// and shows each hit's snippet with the matched words marked (as text, never HTML) and related
// notes marked as such; a note shows its links and related notes, links and unlinks; the form
// creates and edits; delete asks first; the recent changes say who did what and follow changes.
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const ipc = vi.hoisted(() => ({
  memorySearch: vi.fn(),
  memoryGet: vi.fn(),
  memoryCreate: vi.fn(),
  memoryUpdate: vi.fn(),
  memoryDelete: vi.fn(),
  memoryLink: vi.fn(),
  memoryUnlink: vi.fn(),
  memoryFeed: vi.fn(),
  personasList: vi.fn(),
}));
vi.mock("./ipc", () => ({
  ipc,
  message: (e: unknown) => (e instanceof Error ? e.message : String(e)),
}));

import Memory from "./Memory.svelte";

const AT = "2026-12-07T21:00:00.000000Z";
const hit = (id: number, title: string, snippet: string, related: unknown = null) => ({
  id,
  title,
  tags: ["trip"],
  owner: null,
  permission: "shared",
  updatedAt: AT,
  snippet,
  score: related ? null : 1.5,
  related,
});
const tokyo = hit(1, "東京の旅", "昨日は**東京**タワーに<b>行った</b>");
const plans = hit(2, "Plans", "Book the hotel", { from: 1, hops: 1, link: "see also", sharedTags: [] });
const note = (id: number, title: string, links: unknown[] = []) => ({
  id,
  title,
  content: `${title}: 昨日は東京タワーに行った`,
  tags: ["trip", "東京"],
  owner: null,
  permission: "shared",
  createdAt: AT,
  updatedAt: AT,
  links,
});
const change = (seq: number, memoryId: number, action: string, title: string, actor: string | null = null) => ({
  seq,
  memoryId,
  action,
  actor,
  title,
  at: AT,
});

describe("Memory", () => {
  afterEach(cleanup);
  beforeEach(() => {
    for (const f of Object.values(ipc)) f.mockReset();
    ipc.personasList.mockResolvedValue({ items: [{ name: "chef" }, { name: "writer" }], builtins: [] });
    ipc.memorySearch.mockResolvedValue({ results: [tokyo, plans], total: 1, totalCapped: false, nextOffset: null });
    ipc.memoryFeed.mockResolvedValue([change(2, 2, "linked", "Plans", "chef"), change(1, 1, "created", "東京の旅")]);
    ipc.memoryGet.mockResolvedValue({
      note: note(1, "東京の旅", [{ id: 2, title: "Plans", relation: "see also", direction: "out" }]),
      related: [plans],
    });
  });

  it("searches with words and filters, marks the matched words and the related notes", async () => {
    const { container } = render(Memory);
    await waitFor(() =>
      expect(ipc.memorySearch).toHaveBeenCalledWith({ text: "", tags: [], owner: null, includeRelated: true, offset: 0, limit: 10 }),
    );
    await fireEvent.input(screen.getByLabelText("Search notes"), { target: { value: " 東京 " } });
    await fireEvent.input(screen.getByLabelText(/^Tags/), { target: { value: "trip, 旅行" } });
    await fireEvent.change(await screen.findByLabelText("Owner"), { target: { value: "persona:chef" } });
    await fireEvent.click(screen.getByRole("button", { name: "Search" }));
    await waitFor(() =>
      expect(ipc.memorySearch).toHaveBeenLastCalledWith({
        text: "東京",
        tags: ["trip", "旅行"],
        owner: { kind: "persona", name: "chef" },
        includeRelated: true,
        offset: 0,
        limit: 10,
      }),
    );
    const hits = await screen.findAllByTestId("memory-hit");
    expect(hits.map((h) => h.dataset.related)).toEqual(["false", "true"]);
    // The snippet's match is a <mark>, and the note's own "<b>" is text, not bold.
    expect([...hits[0].querySelectorAll("mark")].map((m) => m.textContent)).toEqual(["東京"]);
    expect(hits[0].textContent).toContain("タワーに<b>行った</b>");
    expect(container.querySelector("b")).toBeNull();
    expect(within(hits[1]).getByText("Related")).toBeTruthy();
    expect(within(hits[1]).getByText("Linked with “東京の旅” (see also)")).toBeTruthy();
    await fireEvent.click(screen.getByRole("checkbox", { name: "Include related notes" }));
    await fireEvent.click(screen.getByRole("button", { name: "Clear" }));
    await waitFor(() =>
      expect(ipc.memorySearch).toHaveBeenLastCalledWith({ text: "", tags: [], owner: null, includeRelated: false, offset: 0, limit: 10 }),
    );
  });

  it("says when nothing matches, and shows why the notes could not be read", async () => {
    ipc.memorySearch.mockResolvedValueOnce({ results: [], total: 0, totalCapped: false, nextOffset: null });
    render(Memory);
    expect(await screen.findByText(/No notes yet/)).toBeTruthy();
    ipc.memorySearch.mockResolvedValueOnce({ results: [], total: 0, totalCapped: false, nextOffset: null });
    await fireEvent.input(screen.getByLabelText("Search notes"), { target: { value: "paris" } });
    await fireEvent.click(screen.getByRole("button", { name: "Search" }));
    expect(await screen.findByText("No note matches “paris”.")).toBeTruthy();
    ipc.memorySearch.mockRejectedValueOnce(new Error("The search text is longer than 500 characters."));
    await fireEvent.click(screen.getByRole("button", { name: "Search" }));
    expect((await screen.findByRole("alert")).textContent).toContain("longer than 500 characters");
  });

  it("opens a note with its links and related notes, unlinks and links another note", async () => {
    render(Memory);
    await fireEvent.click(await screen.findByRole("button", { name: "東京の旅" }));
    const shown = await screen.findByTestId("memory-note");
    expect(ipc.memoryGet).toHaveBeenCalledWith(1);
    expect(within(shown).getByRole("heading", { level: 2, name: "東京の旅" })).toBeTruthy();
    expect(within(shown).getByTestId("memory-content").textContent).toContain("東京タワー");
    expect(within(shown).getByText("Links to (see also)")).toBeTruthy();
    expect(within(screen.getByTestId("memory-related-note")).getByText("by a link (see also)")).toBeTruthy();
    ipc.memoryUnlink.mockResolvedValue(note(1, "東京の旅"));
    await fireEvent.click(within(shown).getByRole("button", { name: "Unlink “Plans”" }));
    expect(ipc.memoryUnlink).toHaveBeenCalledWith(1, 2, "see also");
    expect(await screen.findByText("Removed the link with “Plans”.")).toBeTruthy();
    await waitFor(() => expect(document.activeElement?.textContent).toBe("Links"));

    // Link: find the other note, choose it (the note itself is not offered), name the relation.
    ipc.memorySearch.mockResolvedValueOnce({ results: [tokyo, hit(3, "Hotels", "")], total: 2, totalCapped: false, nextOffset: null });
    const form = screen.getByRole("form", { name: "Link to another note" });
    await fireEvent.input(within(form).getByLabelText("Find the other note"), { target: { value: "hotel" } });
    await fireEvent.click(within(form).getByRole("button", { name: "Find" }));
    expect(await within(form).findByRole("radio", { name: "Hotels" })).toBeTruthy();
    expect(within(form).queryByRole("radio", { name: "東京の旅" })).toBeNull();
    await fireEvent.input(within(form).getByLabelText(/^Relation/), { target: { value: "part of" } });
    // A refusal is said, and the choice stays for another try.
    ipc.memoryLink.mockRejectedValueOnce(new Error("Memory 1 already has 100 links; the limit is 100. Unlink some first."));
    await fireEvent.click(within(form).getByRole("button", { name: "Link" }));
    expect((await screen.findByRole("alert")).textContent).toContain("the limit is 100");
    ipc.memoryLink.mockResolvedValue(note(1, "東京の旅"));
    await fireEvent.click(within(form).getByRole("button", { name: "Link" }));
    expect(ipc.memoryLink).toHaveBeenCalledWith(1, 3, "part of");
    expect(await screen.findByText("Linked to “Hotels”.")).toBeTruthy();
    // Each change reads the recent changes again.
    await waitFor(() => expect(ipc.memoryFeed).toHaveBeenCalledTimes(3));
  });

  it("creates a note from the form, then edits it", async () => {
    render(Memory);
    await fireEvent.click(await screen.findByRole("button", { name: "New note" }));
    const form = screen.getByRole("form", { name: "New note" });
    await fireEvent.input(within(form).getByLabelText("Title"), { target: { value: "東京の旅" } });
    await fireEvent.input(within(form).getByLabelText("Text"), { target: { value: "昨日は東京タワーに行った" } });
    await fireEvent.input(within(form).getByLabelText(/^Tags/), { target: { value: "trip, 東京" } });
    await fireEvent.change(within(form).getByLabelText(/^Owner/), { target: { value: "chef" } });
    await fireEvent.change(within(form).getByLabelText(/^Who may read/), { target: { value: "private" } });
    expect(within(form).getByText("Private: only its owner and you see it.")).toBeTruthy();
    ipc.memoryCreate.mockResolvedValue(note(1, "東京の旅"));
    await fireEvent.click(within(form).getByRole("button", { name: "Create" }));
    expect(ipc.memoryCreate).toHaveBeenCalledWith({
      title: "東京の旅",
      content: "昨日は東京タワーに行った",
      tags: ["trip", "東京"],
      owner: "chef",
      permission: "private",
    });
    await screen.findByTestId("memory-note");

    await fireEvent.click(screen.getByRole("button", { name: "Edit" }));
    const edit = screen.getByRole("form", { name: "Edit “東京の旅”" });
    expect((within(edit).getByLabelText("Title") as HTMLInputElement).value).toBe("東京の旅");
    expect(within(edit).queryByLabelText(/^Owner/)).toBeNull();
    await fireEvent.input(within(edit).getByLabelText("Title"), { target: { value: "東京の旅 2" } });
    ipc.memoryUpdate.mockRejectedValueOnce(new Error("The title is longer than 200 characters."));
    await fireEvent.click(within(edit).getByRole("button", { name: "Save" }));
    expect((await within(edit).findByRole("alert")).textContent).toContain("longer than 200");
    ipc.memoryUpdate.mockResolvedValue(note(1, "東京の旅 2"));
    await fireEvent.click(within(edit).getByRole("button", { name: "Save" }));
    expect(ipc.memoryUpdate).toHaveBeenLastCalledWith(1, {
      title: "東京の旅 2",
      content: "東京の旅: 昨日は東京タワーに行った",
      tags: ["trip", "東京"],
      permission: "shared",
    });
    await screen.findByTestId("memory-note");
  });

  it("deletes a note only after a confirmation, then says so over the search once", async () => {
    render(Memory);
    await fireEvent.click(await screen.findByRole("button", { name: "東京の旅" }));
    await fireEvent.click(await screen.findByRole("button", { name: "Delete…" }));
    expect(ipc.memoryDelete).not.toHaveBeenCalled();
    expect(screen.getByText("Delete “東京の旅” and its links? This cannot be undone.")).toBeTruthy();
    ipc.memoryDelete.mockResolvedValue(null);
    await fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    expect(ipc.memoryDelete).toHaveBeenCalledWith(1);
    expect(await screen.findByText("Deleted “東京の旅”.")).toBeTruthy();
    expect(screen.getByLabelText("Search notes")).toBeTruthy();
    // The sentence belongs to that moment: back from another view, it is gone.
    await fireEvent.click(screen.getByRole("button", { name: "New note" }));
    await fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(await screen.findByLabelText("Search notes")).toBeTruthy();
    expect(screen.queryByText("Deleted “東京の旅”.")).toBeNull();
  });

  it("lists recent changes with who made them; a deleted note's lines do not open it", async () => {
    ipc.memoryFeed.mockResolvedValue([
      change(3, 2, "deleted", "Plans", "chef"),
      change(2, 2, "linked", "Plans", "chef"),
      change(1, 1, "created", "東京の旅"),
    ]);
    render(Memory);
    const feed = within(screen.getByRole("region", { name: "Recent changes" }));
    const lines = await feed.findAllByTestId("memory-change");
    expect(lines.map((l) => l.textContent?.replace(/^.*?(You|Persona)/, "$1").trim())).toEqual([
      "Persona chef deleted “Plans”",
      "Persona chef linked “Plans”",
      "You created “東京の旅”",
    ]);
    expect(feed.queryByRole("button", { name: /Plans/ })).toBeNull();
    await fireEvent.click(feed.getByRole("button", { name: "You created “東京の旅”" }));
    expect(await screen.findByTestId("memory-note")).toBeTruthy();
    expect(ipc.memoryGet).toHaveBeenCalledWith(1);
  });

  it("reads the recent changes again every ten seconds, so changes made by AI apps show", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      render(Memory);
      const feed = within(screen.getByRole("region", { name: "Recent changes" }));
      await feed.findByText("You created “東京の旅”");
      ipc.memoryFeed.mockResolvedValue([change(3, 3, "created", "From an AI app", "writer")]);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(await feed.findByText("Persona writer created “From an AI app”")).toBeTruthy();
    } finally {
      vi.useRealTimers();
    }
  });
});
