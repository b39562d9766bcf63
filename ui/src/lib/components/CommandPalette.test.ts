import { afterEach, describe, expect, it, vi } from "vitest";
import { render, screen, fireEvent, cleanup } from "@testing-library/svelte";

afterEach(() => cleanup());
import CommandPalette from "./CommandPalette.svelte";

const commands = [
  { id: "go:staff", label: "Go to Staff" },
  { id: "go:audit", label: "Go to Audit trail" },
  { id: "audit:verify", label: "Verify the audit chain" },
];

describe("CommandPalette", () => {
  it("filters as you type and runs the chosen command with the keyboard", async () => {
    const onrun = vi.fn();
    render(CommandPalette, { commands, onrun, onclose: vi.fn() });
    const input = screen.getByLabelText("Command");
    await fireEvent.input(input, { target: { value: "audit" } });
    expect(screen.getAllByRole("option")).toHaveLength(2);
    await fireEvent.keyDown(input, { key: "ArrowDown" });
    await fireEvent.keyDown(input, { key: "Enter" });
    expect(onrun).toHaveBeenCalledWith("audit:verify");
  });

  it("closes on Escape", async () => {
    const onclose = vi.fn();
    render(CommandPalette, { commands, onrun: vi.fn(), onclose });
    await fireEvent.keyDown(screen.getByLabelText("Command"), { key: "Escape" });
    expect(onclose).toHaveBeenCalled();
  });
});
