import { describe, expect, it } from "vitest";
import { Action } from "./action.svelte";

describe("Action", () => {
  it("is busy while running and keeps the result", async () => {
    const a = new Action();
    let seenBusy = false;
    const result = await a.run(async () => {
      seenBusy = a.busy;
      return 7;
    });
    expect(seenBusy).toBe(true);
    expect(result).toBe(7);
    expect(a.busy).toBe(false);
    expect(a.error).toBeNull();
  });

  it("records the error as a UiError and clears it on the next run", async () => {
    const a = new Action();
    expect(await a.run(async () => { throw { code: "invalid_code", message: "Wrong code.", field: "code", retry_at: null }; })).toBeUndefined();
    expect(a.error?.code).toBe("invalid_code");
    await a.run(async () => { throw new Error("boom"); });
    expect(a.error).toEqual({ code: "app_error", message: "Error: boom", field: null, retry_at: null });
    await a.run(async () => 1);
    expect(a.error).toBeNull();
  });
});
