import { describe, expect, it } from "vitest";
import { moveIndex, nearEnd, rowWindow, scrollToReveal } from "./virtual";

describe("virtual list window", () => {
  const base = { count: 100_000, rowHeight: 40, viewportHeight: 400, overscan: 5 };

  it("draws the visible rows plus overscan at the top", () => {
    const w = rowWindow({ ...base, scrollTop: 0 });
    expect(w).toEqual({ start: 0, end: 16, padTop: 0, padBottom: (100_000 - 16) * 40 });
  });

  it("keeps the total height whatever is drawn", () => {
    for (const scrollTop of [0, 123, 40_000, 1_999_980, 3_999_600]) {
      const w = rowWindow({ ...base, scrollTop });
      expect(w.padTop + (w.end - w.start) * 40 + w.padBottom).toBe(100_000 * 40);
      expect(w.end - w.start).toBeLessThanOrEqual(10 + 1 + 2 * 5);
    }
  });

  it("follows the scroll position in the middle", () => {
    const w = rowWindow({ ...base, scrollTop: 50_000 * 40 + 10 });
    expect(w.start).toBe(50_000 - 5);
    expect(w.end).toBe(50_000 + 11 + 5);
    expect(w.padTop).toBe(w.start * 40);
  });

  it("stops at the end and copes with odd input", () => {
    const w = rowWindow({ ...base, scrollTop: 10_000_000 });
    expect(w.end).toBe(100_000);
    expect(w.padBottom).toBe(0);
    expect(rowWindow({ ...base, count: 0, scrollTop: 0 })).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
    expect(rowWindow({ ...base, count: 3, scrollTop: -50 })).toEqual({ start: 0, end: 3, padTop: 0, padBottom: 0 });
    expect(rowWindow({ ...base, count: 50, viewportHeight: 0, scrollTop: 0 }).end).toBe(6);
  });

  it("scrolls as little as needed to reveal a row", () => {
    expect(scrollToReveal(5, 40, 0, 400)).toBeNull();
    expect(scrollToReveal(9, 40, 0, 400)).toBeNull();
    expect(scrollToReveal(10, 40, 0, 400)).toBe(40);
    expect(scrollToReveal(2, 40, 200, 400)).toBe(80);
    expect(scrollToReveal(0, 40, 0, 400)).toBeNull();
  });

  it("asks for the next page near the end", () => {
    expect(nearEnd(140, 200, 60)).toBe(true);
    expect(nearEnd(100, 200, 60)).toBe(false);
  });

  it("moves the selection inside the list", () => {
    expect(moveIndex(-1, 1, 10)).toBe(0);
    expect(moveIndex(-1, -1, 10)).toBe(9);
    expect(moveIndex(3, 1, 10)).toBe(4);
    expect(moveIndex(9, 1, 10)).toBe(9);
    expect(moveIndex(0, -1, 10)).toBe(0);
    expect(moveIndex(0, 1, 0)).toBe(-1);
  });
});
