import { describe, expect, it } from "vitest";
import { emptyFilters, filterOf, hasFilters, queryOf, PAGE_SIZE } from "./state.svelte";

describe("queue query", () => {
  it("asks for a view with its sort, leaving empty filters out", () => {
    const q = queryOf({ view: "unassigned", saved: null, sort: "priority", filters: emptyFilters() });
    expect(q).toEqual({ view: "unassigned", sort: "priority", limit: PAGE_SIZE });
    expect(hasFilters(emptyFilters())).toBe(false);
  });

  it("asks for a saved filter instead of a view, with the cursor and the filters", () => {
    const filters = { tenant: { id: "t1", name: "Acme" }, priority: "high" as const, status: "" as const, tag: " VIP ", text: " refund " };
    const q = queryOf({ view: "mine", saved: "f1", sort: "sla_due", filters }, "c2");
    expect(q).toEqual({ saved: "f1", sort: "sla_due", limit: PAGE_SIZE, cursor: "c2", tenant_id: "t1", priority: "high", tag: "vip", text: "refund" });
    expect(q.view).toBeUndefined();
    expect(filterOf(filters)).toEqual({ tenant_id: "t1", priority: "high", tag: "vip", text: "refund" });
    expect(hasFilters(filters)).toBe(true);
  });
});
