// Screen tests of the Health card with the IPC mocked: every check is shown with its level and
// fix, the app offers its own fix only where it has one, and using it re-runs the check.
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const ipc = vi.hoisted(() => ({
  healthCheck: vi.fn(),
  backupNow: vi.fn(),
  clientsRepair: vi.fn(),
}));
vi.mock("./ipc", () => ({
  ipc,
  message: (e: unknown) => (e instanceof Error ? e.message : String(e)),
}));

import Health from "./Health.svelte";

// Checks as core sends them: the command line's words (`message`, `fix`) and the finding with
// its fixes, which is what the card shows.
const warning = {
  level: "warning",
  checks: [
    { id: "database", level: "ok", message: "The database is intact.", finding: { id: "database.ok", params: { path: "/d/llmgen.db" } } },
    {
      id: "backup",
      level: "warning",
      message: "No backup has been made yet.",
      fix: "Run `mcp-llm-generator backup create`.",
      finding: { id: "backup.never" },
      fixes: [{ kind: "backUpNow" }],
    },
    {
      id: "provider-key",
      level: "warning",
      message: "No key for anthropic.",
      fix: "Run `mcp-llm-generator keys set anthropic`.",
      finding: { id: "provider-key.missing", params: { provider: "anthropic" } },
      fixes: [{ kind: "openKeys", provider: "anthropic" }],
    },
  ],
};
const ok = {
  level: "ok",
  checks: [
    { id: "backup", level: "ok", message: "The last backup is 0 hours old.", finding: { id: "backup.recent", params: { ageHours: 0 } } },
  ],
};

describe("Health", () => {
  afterEach(cleanup);
  beforeEach(() => {
    for (const f of Object.values(ipc)) f.mockReset();
  });

  it("shows each check, its fix, and a button only where the app can fix it", async () => {
    ipc.healthCheck.mockResolvedValue(warning);
    render(Health);
    expect((await screen.findByTestId("health-level")).textContent).toContain("Something needs attention.");
    const backup = screen.getByTestId("check-backup");
    // The fix in words, not the command line's command.
    expect(backup.textContent).toContain("Take a backup now");
    expect(backup.textContent).not.toContain("mcp-llm-generator");
    expect(within(backup).getByRole("button", { name: "Back up now" })).toBeTruthy();
    expect(within(screen.getByTestId("check-provider-key")).queryByRole("button")).toBeNull();
  });

  it("backs up and checks again when the fix is used", async () => {
    ipc.healthCheck.mockResolvedValueOnce(warning).mockResolvedValueOnce(ok);
    ipc.backupNow.mockResolvedValue({ path: "/d/backups/database/llmgen-1.db", created: "", sizeBytes: 1, encrypted: false, reason: "manual" });
    render(Health);
    await fireEvent.click(await screen.findByRole("button", { name: "Back up now" }));
    await waitFor(() => expect(ipc.healthCheck).toHaveBeenCalledTimes(2));
    expect((await screen.findByTestId("health-level")).textContent).toContain("All good.");
    expect(screen.getByText(/Backed up to \/d\/backups\/database\/llmgen-1\.db/)).toBeTruthy();
  });

  it("leads to the card a fix needs when the parent can show it", async () => {
    ipc.healthCheck.mockResolvedValue(warning);
    const onopen = vi.fn();
    render(Health, { onopen });
    const keys = await screen.findByTestId("check-provider-key");
    expect(keys.textContent).toContain("Store an API key for anthropic on the Keys & providers screen");
    await fireEvent.click(within(keys).getByRole("button", { name: "Open Keys & providers" }));
    expect(onopen).toHaveBeenCalledWith("keys");
  });

  it("shows why the check could not run", async () => {
    ipc.healthCheck.mockRejectedValue(new Error("The data folder is not readable."));
    render(Health);
    expect(await screen.findByText("The data folder is not readable.")).toBeTruthy();
  });
});
