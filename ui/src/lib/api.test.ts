// The shell boundary: the generated wrappers call `invoke` with the command's name and its
// snake_case argument keys, and whatever the shell throws reaches the UI as a `UiError`.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "./api";

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/core", () => ({ invoke }));

beforeEach(() => invoke.mockReset());

describe("api", () => {
  it("reads one tenant user with the command's own argument keys", async () => {
    const user = { id: "u1" };
    invoke.mockResolvedValueOnce(user);
    await expect(api.tenantUser("t1", "u1")).resolves.toBe(user);
    expect(invoke).toHaveBeenCalledWith("tenant_user", { tenant_id: "t1", user_id: "u1" });
  });

  it("calls a command without arguments by its name alone", async () => {
    invoke.mockResolvedValueOnce([]);
    await api.assignees();
    expect(invoke.mock.calls).toEqual([["assignees", undefined]]);
  });

  it("passes a UiError through and turns anything else into one", async () => {
    const refused = { code: "grant_ended", message: "Your grant ended.", field: null, retry_at: null };
    invoke.mockRejectedValueOnce(refused);
    await expect(api.tenantScope()).rejects.toEqual(refused);
    invoke.mockRejectedValueOnce("the window closed");
    await expect(api.tenantScope()).rejects.toEqual({
      code: "app_error",
      message: "the window closed",
      field: null,
      retry_at: null,
    });
  });
});
