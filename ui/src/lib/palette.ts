// The command palette's matching: every word typed must appear in the command's label or
// keywords; earlier and tighter matches rank first.

export interface PaletteCommand {
  id: string;
  label: string;
  keywords?: string;
  shortcut?: string;
}

/** Commands matching `query`, best first. An empty query lists all. */
export function filterCommands(commands: readonly PaletteCommand[], query: string): PaletteCommand[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...commands];
  const scored: Array<[number, PaletteCommand]> = [];
  for (const c of commands) {
    const label = c.label.toLowerCase();
    const hay = `${label} ${(c.keywords ?? "").toLowerCase()}`;
    if (!words.every((w) => hay.includes(w))) continue;
    const first = words[0] ?? "";
    const score = (label.startsWith(first) ? 0 : label.includes(first) ? 10 : 20) + label.length / 100;
    scored.push([score, c]);
  }
  return scored.sort((a, b) => a[0] - b[0]).map(([, c]) => c);
}
