import { beforeEach, describe, expect, it } from "vitest";
import { clearAllDrafts, clearSent, draftOf, hasDraftText, updateDraft } from "./drafts.svelte";

describe("composer drafts", () => {
  beforeEach(() => clearAllDrafts());

  it("keeps a draft per ticket while the person switches tickets", () => {
    updateDraft("t1", { reply: "Hello Ana" });
    updateDraft("t2", { tab: "note", note: "Checked the logs" });
    expect(draftOf("t1").reply).toBe("Hello Ana");
    expect(draftOf("t2")).toMatchObject({ tab: "note", note: "Checked the logs", reply: "" });
    expect(draftOf("t3")).toEqual({ tab: "reply", reply: "", note: "", status: "" });
    expect(hasDraftText("t1")).toBe(true);
    expect(hasDraftText("t3")).toBe(false);
  });

  it("empties only what was sent, and keeps text typed since", () => {
    updateDraft("t1", { reply: "Hello Ana\n", status: "solved", note: "n" });
    clearSent("t1", "reply", "Hello Ana");
    expect(draftOf("t1")).toMatchObject({ reply: "", status: "", note: "n" });
    updateDraft("t1", { note: "longer note now" });
    clearSent("t1", "note", "n");
    expect(draftOf("t1").note).toBe("longer note now");
  });

  it("forgets everything on sign-out", () => {
    updateDraft("t1", { reply: "x" });
    clearAllDrafts();
    expect(hasDraftText("t1")).toBe(false);
  });
});
