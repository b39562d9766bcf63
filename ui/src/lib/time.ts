// Times as people read them: local clock time, and "in 5 min" / "3 h ago".

/** "14:05", or "Mon 14:05" when not today. */
export function formatClock(at: Date, now: Date = new Date()): string {
  const time = at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const sameDay = at.toDateString() === now.toDateString();
  return sameDay ? time : `${at.toLocaleDateString([], { weekday: "short", day: "numeric", month: "short" })} ${time}`;
}

/** "just now", "5 min ago", "in 2 h", "3 d ago". */
export function relative(at: Date, now: Date = new Date()): string {
  const seconds = Math.round((at.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return "just now";
  const [value, unit] =
    abs < 3600 ? [Math.round(abs / 60), "min"] : abs < 86400 ? [Math.round(abs / 3600), "h"] : [Math.round(abs / 86400), "d"];
  return seconds > 0 ? `in ${value} ${unit}` : `${value} ${unit} ago`;
}

/** A full local date and time, for tooltips and the audit trail. */
export function formatFull(at: Date): string {
  return at.toLocaleString([], { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}
