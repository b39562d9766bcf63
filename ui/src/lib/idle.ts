// The idle lock: after `minutes` without input the app locks and asks for a TOTP code.

export class IdleTimer {
  private last: number;

  constructor(
    private minutes: number,
    now: number = Date.now(),
  ) {
    this.last = now;
  }

  /** Records input (a key press, click or pointer move). */
  touch(now: number = Date.now()): void {
    this.last = now;
  }

  /** Changes the limit. */
  setMinutes(minutes: number): void {
    this.minutes = minutes;
  }

  /** Whether the app should be locked at `now`. */
  expired(now: number = Date.now()): boolean {
    return now - this.last >= this.minutes * 60_000;
  }
}
