import { describe, expect, it } from "vitest";
import { captureTime } from "../../src/domain/code-monitoring.js";

const ARRIVED = Date.parse("2026-12-05T06:45:45.100Z");

describe("captureTime", () => {
  it("keeps a time sent in UTC, near its arrival", () => {
    expect(captureTime("2026-12-05T06:45:44.852786Z", ARRIVED)).toBe("2026-12-05T06:45:44.852786Z");
  });

  it("reads a local time stamped Z (the Python SDK outside UTC) back to UTC, its microseconds kept", () => {
    // UTC+9: the SDK sent 15:45 for 06:45.
    expect(captureTime("2026-12-05T15:45:44.852786Z", ARRIVED)).toBe("2026-12-05T06:45:44.852786Z");
    // UTC−5, and UTC+5:45 (a zone of quarter hours).
    expect(captureTime("2026-12-05T01:45:44.852Z", ARRIVED)).toBe("2026-12-05T06:45:44.852Z");
    expect(captureTime("2026-12-05T12:30:44.852Z", ARRIVED)).toBe("2026-12-05T06:45:44.852Z");
  });

  it("keeps a time that is no zone's offset from its arrival, or further than any zone", () => {
    expect(captureTime("2026-12-05T06:38:00.000Z", ARRIVED)).toBe("2026-12-05T06:38:00.000Z");
    expect(captureTime("2026-12-05T04:07:00.000Z", ARRIVED)).toBe("2026-12-05T04:07:00.000Z");
    expect(captureTime("2026-12-01T10:00:00.123456Z", ARRIVED)).toBe("2026-12-01T10:00:00.123456Z");
  });

  it("writes a time sent with its zone's offset, or none, in UTC, its microseconds kept", () => {
    // Python's datetime.now(tz).isoformat() in India, 10 minutes before its arrival (no zone's distance).
    expect(captureTime("2026-12-05T12:05:45.100123+05:30", ARRIVED)).toBe("2026-12-05T06:35:45.100123Z");
    expect(captureTime("2026-12-05T01:45:44.852786-05:00", ARRIVED)).toBe("2026-12-05T06:45:44.852786Z");
    // Without a zone: read as UTC, whatever the server's zone, and as a local time when it is a zone away.
    expect(captureTime("2026-12-05T06:45:44.852786", ARRIVED)).toBe("2026-12-05T06:45:44.852786Z");
    expect(captureTime("2026-12-05T15:45:44.852786", ARRIVED)).toBe("2026-12-05T06:45:44.852786Z");
    expect(captureTime("2026-12-05 06:45:44", ARRIVED)).toBe("2026-12-05T06:45:44.000Z");
  });

  it("gives back a time it made unchanged (a stored capture is read through it again)", () => {
    for (const sent of [
      "2026-12-05T15:45:44.852786Z",
      "2026-12-05T06:38:00.000Z",
      "2026-12-01T10:00:00.123456Z",
      "2026-12-05T12:05:45.100123+05:30",
      "2026-12-05T06:30:45.100+00:00",
      "2026-12-05T06:45:44.852786",
      "2026-12-05 06:45:44",
      "not a time",
    ]) {
      const kept = captureTime(sent, ARRIVED);
      expect([sent, captureTime(kept, ARRIVED)]).toEqual([sent, kept]);
    }
  });

  it("takes the arrival for a capture without a time", () => {
    expect(captureTime(null, ARRIVED)).toBe("2026-12-05T06:45:45.100Z");
  });
});
