// One user action in flight: whether it is running and the error it ended with. Forms use it so
// every submit disables its button, clears the old error, and shows the new one the same way.
import { asUiError, type UiError } from "./api";

export class Action {
  busy = $state(false);
  error = $state<UiError | null>(null);

  /** Runs `work`; returns its result, or `undefined` after recording the error. */
  async run<T>(work: () => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    this.error = null;
    try {
      return await work();
    } catch (e) {
      this.error = asUiError(e);
      return undefined;
    } finally {
      this.busy = false;
    }
  }
}
