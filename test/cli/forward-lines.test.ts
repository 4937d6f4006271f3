import { describe, expect, it } from "vitest";
import { forwardEventLine, forwardFlushingLine } from "../../src/cli/forward-lines.js";

describe("forwardEventLine: dropped", () => {
  const dropped = (batches: number, reason: "queueFull" | "rejected" | "shutdown") =>
    forwardEventLine({ type: "dropped", url: "http://up", reason, batches, bytes: 2048, message: "HTTP 400" });

  it("says one refused batch as one, and several as several", () => {
    expect(dropped(1, "rejected")).toBe(
      "  ! forwarding to http://up: dropped 1 batch (2 KiB; the upstream refused it: HTTP 400)",
    );
    expect(dropped(1_200, "rejected")).toBe(
      "  ! forwarding to http://up: dropped 1,200 batches (2 KiB; the upstream refused them: HTTP 400)",
    );
    // A full queue drops its oldest batch each time: of one, "oldest first" would say there were several.
    expect(dropped(1, "queueFull")).toBe(
      "  ! forwarding to http://up: dropped 1 batch (2 KiB; the oldest queued, as the forwarding queue was full: HTTP 400)",
    );
    expect(dropped(3, "queueFull")).toBe(
      "  ! forwarding to http://up: dropped 3 batches (2 KiB; each the oldest queued, as the forwarding queue was full: HTTP 400)",
    );
    expect(dropped(1, "shutdown")).toBe(
      "  ! forwarding to http://up: dropped 1 batch (2 KiB; still queued at stop: HTTP 400)",
    );
  });
});

describe("forwardFlushingLine", () => {
  it("says one batch waited for as it, and several as them", () => {
    const line = (batches: number) => forwardFlushingLine({ batches, bytes: 214, graceMs: 2000 });
    expect(line(1)).toBe(
      "  forwarding: sending the 1 batch (214 B) not yet taken upstream, for up to 2 s; Ctrl+C again to stop now and drop it",
    );
    expect(line(2)).toMatch(/sending the 2 batches .* drop them$/);
  });
});
