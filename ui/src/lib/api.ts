// The one typed module that talks to the shell. Components never call `invoke` themselves. The
// wrappers (command names, argument keys and types) are generated from the Rust commands into
// generated/commands.ts by src-tauri/tests/commands_ts.rs; nothing here repeats them.
import { invoke } from "@tauri-apps/api/core";
import { commands } from "./generated/commands";
import type { UiError } from "./generated/UiError";

export type { UiError };

/** Calls a shell command; a failure arrives as a `UiError` (code and sentence). */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw asUiError(e);
  }
}

/** Whatever was thrown, as a `UiError` the UI can show. */
export function asUiError(e: unknown): UiError {
  if (typeof e === "object" && e !== null && "code" in e && "message" in e) {
    return e as UiError;
  }
  return { code: "app_error", message: String(e), field: null, retry_at: null };
}

/** Every shell command, typed; a failure arrives as a `UiError`. */
export const api = commands(call);
