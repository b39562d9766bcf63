// The sign-in screen, rendered for real in jsdom; only the shell boundary (`invoke`) is faked.
import { describe, expect, it, vi, beforeEach, afterEach } from "vitest";
import { render, screen, fireEvent, cleanup } from "@testing-library/svelte";
import SignIn from "./SignIn.svelte";

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/core", () => ({ invoke }));

function props(overrides: Record<string, unknown> = {}) {
  return {
    hubLabel: "hub.example.com",
    lastUsername: "ana",
    notice: null,
    onsignedin: vi.fn(),
    onchangehub: vi.fn(),
    ...overrides,
  };
}

describe("SignIn", () => {
  beforeEach(() => {
    invoke.mockReset();
  });
  afterEach(() => cleanup());

  it("asks for the password, then the code, and reports success", async () => {
    invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) => {
      if (cmd === "sign_in_password") {
        expect(args).toEqual({ username: "ana", password: "correct horse battery" });
        return { challenge: "odc_1", expires_at: "2026-11-21T12:00:00Z" };
      }
      if (cmd === "sign_in_mfa") {
        expect(args).toEqual({ challenge: "odc_1", code: "123456", recovery_code: null });
        return {};
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const p = props();
    render(SignIn, p);
    expect((screen.getByLabelText("Username") as HTMLInputElement).value).toBe("ana");
    await fireEvent.input(screen.getByLabelText("Password"), { target: { value: "correct horse battery" } });
    await fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    const code = await screen.findByLabelText("Code from your authenticator app");
    await fireEvent.input(code, { target: { value: "123 456" } });
    await fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await vi.waitFor(() => expect(p.onsignedin).toHaveBeenCalled());
  });

  it("shows a lock as a sentence with the time it ends", async () => {
    const until = new Date(Date.now() + 15 * 60_000);
    invoke.mockRejectedValue({ code: "account_locked", message: "locked", field: null, retry_at: until.toISOString() });
    render(SignIn, props());
    await fireEvent.input(screen.getByLabelText("Password"), { target: { value: "whatever-it-is" } });
    await fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("locked after too many failed attempts");
    expect(alert.textContent).toContain(until.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }));
  });

  it("offers a retry when the hub is unreachable, and retries", async () => {
    invoke.mockRejectedValueOnce({ code: "hub_unreachable", message: "The hub at http://x is not reachable.", field: null, retry_at: null });
    invoke.mockResolvedValueOnce({ challenge: "odc_2", expires_at: "2026-11-21T12:00:00Z" });
    render(SignIn, props());
    await fireEvent.input(screen.getByLabelText("Password"), { target: { value: "pw-pw-pw-pw-pw" } });
    await fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    await fireEvent.click(await screen.findByRole("button", { name: "Retry" }));
    expect(await screen.findByLabelText("Code from your authenticator app")).toBeTruthy();
    expect(invoke).toHaveBeenCalledTimes(2);
  });

  it("switches to a recovery code", async () => {
    invoke.mockResolvedValueOnce({ challenge: "odc_3", expires_at: "2026-11-21T12:00:00Z" });
    invoke.mockResolvedValueOnce({});
    const p = props();
    render(SignIn, p);
    await fireEvent.input(screen.getByLabelText("Password"), { target: { value: "pw-pw-pw-pw-pw" } });
    await fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    await fireEvent.click(await screen.findByRole("button", { name: "Use a recovery code instead" }));
    await fireEvent.input(screen.getByLabelText("Recovery code"), { target: { value: "ABCD-EFGH-JKLM" } });
    await fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await vi.waitFor(() => expect(p.onsignedin).toHaveBeenCalled());
    expect(invoke).toHaveBeenLastCalledWith("sign_in_mfa", { challenge: "odc_3", code: null, recovery_code: "ABCD-EFGH-JKLM" });
  });
});
