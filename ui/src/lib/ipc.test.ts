// Tests of the one wrapper over the generated commands: a command's data comes back as the
// resolved value, its error as a rejected `IpcFailure` with the Rust side's sentence and kind,
// and a command that cannot fail answers as it is.
import { beforeEach, describe, expect, it, vi } from "vitest";

const commands = vi.hoisted(() => ({
  appStatus: vi.fn(),
  personasDelete: vi.fn(),
  takeFocus: vi.fn(),
}));
vi.mock("./bindings", () => ({ commands }));

import { IpcFailure, ipc, message } from "./ipc";

describe("ipc", () => {
  beforeEach(() => {
    for (const f of Object.values(commands)) f.mockReset();
  });

  it("resolves with the data of an ok answer and passes the arguments through", async () => {
    commands.personasDelete.mockResolvedValue({ status: "ok", data: null });
    await expect(ipc.personasDelete("chef")).resolves.toBeNull();
    expect(commands.personasDelete).toHaveBeenCalledWith("chef");
  });

  it("rejects with the sentence and the kind of an error answer", async () => {
    const sentence = "Persona 'chef' was not found. List personas with persona-manage action 'list'.";
    commands.personasDelete.mockResolvedValue({ status: "error", error: { kind: "not_found", message: sentence } });
    const failure = await ipc.personasDelete("chef").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(IpcFailure);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as IpcFailure).kind).toBe("not_found");
    // What the screens show is the sentence, unchanged.
    expect(message(failure)).toBe(sentence);
  });

  it("shows Tauri's own sentence when it refuses a call before our code runs", async () => {
    // Tauri rejects arguments it cannot read with a plain string, not our { kind, message }.
    const sentence = "invalid args `patch` for command `personas_update`: invalid value: integer `-1`";
    commands.personasDelete.mockResolvedValue({ status: "error", error: sentence });
    const failure = await ipc.personasDelete("chef").catch((e: unknown) => e);
    expect(message(failure)).toBe(sentence);
    expect((failure as IpcFailure).kind).toBe("failed");
  });

  it("answers a command that cannot fail as it is", async () => {
    commands.takeFocus.mockResolvedValueOnce("clients").mockResolvedValueOnce(null);
    await expect(ipc.takeFocus()).resolves.toBe("clients");
    await expect(ipc.takeFocus()).resolves.toBeNull();
  });

  it("lets a failure of the call itself through", async () => {
    commands.appStatus.mockRejectedValue(new Error("IPC is not available"));
    await expect(ipc.appStatus()).rejects.toThrow("IPC is not available");
  });

  it("offers every generated command", () => {
    expect(Object.keys(ipc).sort()).toEqual(Object.keys(commands).sort());
  });
});
