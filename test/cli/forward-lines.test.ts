import { describe, expect, it } from "vitest";
import { forwardEventLine } from "../../src/cli/forward-lines.js";

describe("forwardEventLine: dropped", () => {
  const dropped = (batches: number, reason: "queueFull" | "rejected" | "shutdown") =>
    forwardEventLine({ type: "dropped", url: "http://up", reason, batches, bytes: 2048, message: "HTTP 400" });

  it("says one refused batch as one, and several as several", () => {
    expect(dropped(1, "rejected")).toBe(
      "  ! forwarding to http://up: dropped 1 batch (2.0 KiB; the upstream refused it: HTTP 400)",
    );
    expect(dropped(1_200, "rejected")).toBe(
      "  ! forwarding to http://up: dropped 1,200 batches (2.0 KiB; the upstream refused them: HTTP 400)",
    );
    expect(dropped(1, "shutdown")).toBe(
      "  ! forwarding to http://up: dropped 1 batch (2.0 KiB; still queued at stop: HTTP 400)",
    );
  });
});
