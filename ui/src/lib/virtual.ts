// The arithmetic of a virtualized list with a fixed row height: which rows to draw for a scroll
// position, how tall the spacers around them are, and where to scroll to reveal a row.

export interface WindowInput {
  /** Rows in the list. */
  count: number;
  /** Height of every row, in pixels. */
  rowHeight: number;
  /** How far the rows are scrolled (pixels from the first row's top). */
  scrollTop: number;
  /** Height of the part of the scroller that shows rows. */
  viewportHeight: number;
  /** Extra rows drawn above and below what is visible, so fast scrolling shows no gaps. */
  overscan: number;
}

export interface RowWindow {
  /** First row drawn (inclusive). */
  start: number;
  /** One past the last row drawn. */
  end: number;
  /** Height of the spacer above the drawn rows. */
  padTop: number;
  /** Height of the spacer below the drawn rows. */
  padBottom: number;
}

/** The rows to draw and the spacer heights for one scroll position. */
export function rowWindow({ count, rowHeight, scrollTop, viewportHeight, overscan }: WindowInput): RowWindow {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
  const top = Math.max(0, scrollTop);
  const firstVisible = Math.min(count - 1, Math.floor(top / rowHeight));
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, firstVisible - overscan);
  const end = Math.min(count, firstVisible + visible + overscan);
  return { start, end, padTop: start * rowHeight, padBottom: (count - end) * rowHeight };
}

/**
 * The scroll position that brings row `index` fully into view, moving as little as possible;
 * null when it is already visible.
 */
export function scrollToReveal(index: number, rowHeight: number, scrollTop: number, viewportHeight: number): number | null {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return null;
}

/** Whether the drawn rows come within `threshold` rows of the end, so the next page should load. */
export function nearEnd(end: number, count: number, threshold: number): boolean {
  return count - end <= threshold;
}

/** `index` moved by `delta`, kept inside a list of `count` rows; -1 for an empty list. */
export function moveIndex(index: number, delta: number, count: number): number {
  if (count <= 0) return -1;
  if (index < 0) return delta >= 0 ? 0 : count - 1;
  return Math.min(count - 1, Math.max(0, index + delta));
}
