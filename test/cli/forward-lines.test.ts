import { describe, expect, it } from "vitest";
import { forwardEventLine, forwardFlushingLine, forwardStoppedLine } from "../../src/cli/forward-lines.js";

describe("forwardEventLine: rejecting", () => {
  const refused = (status: number, reason: string) =>
    forwardEventLine({ type: "rejecting", url: "http://up", status, message: `HTTP ${status}: ${reason}` });

  it("points a 400, 401, 403 or 404 at the URL and the headers", () => {
    expect(refused(401, "unauthorized")).toBe(
      "  ! forwarding to http://up was refused (HTTP 401: unauthorized); refused batches are dropped, not retried: check any --forward-header (an API key?) and the URL",
    );
    expect(refused(403, "forbidden")).toContain("check any --forward-header (an API key?)");
    expect(refused(400, "bad request")).toMatch(/: check the URL and any --forward-header \(an API key\?\)$/);
    expect(refused(404, "not found")).toMatch(/: check the URL \(the upstream's OTLP\/HTTP base URL/);
  });

  it("says a 413 is the upstream's size limit", () => {
    const line = refused(413, "request entity too large");
    expect(line).toMatch(/: the upstream takes smaller requests than these .*raise its request size limit$/);
    expect(line).not.toContain("--forward-header");
  });

  it("says a 500 (or another 5xx it is not asked to retry) is the upstream failing on its side, not the URL or a key", () => {
    for (const status of [500, 501]) {
      const line = refused(status, "internal error");
      expect(line).toBe(
        `  ! forwarding to http://up was refused (HTTP ${status}: internal error); refused batches are dropped, not retried: the upstream failed on its side (its logs say why); the URL and headers are not the cause`,
      );
    }
  });
});

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

describe("forwardStoppedLine", () => {
  it("names the upstream the dropped batches were for, and with several what each lost", () => {
    const a = { url: "http://a:4318", batches: 2, bytes: 2150 };
    const b = { url: "http://b:4318", batches: 1, bytes: 1024 };
    expect(forwardStoppedLine({ batches: 2, bytes: 2150, targets: [a] })).toBe(
      "  ! forwarding to http://a:4318: 2 batches (2.1 KiB) not sent before stopping, dropped",
    );
    expect(forwardStoppedLine({ batches: 3, bytes: 3174, targets: [a, b] })).toBe(
      "  ! forwarding: 3 batches (3.1 KiB) not sent before stopping, dropped: 2 (2.1 KiB) to http://a:4318, 1 (1 KiB) to http://b:4318",
    );
  });
});
