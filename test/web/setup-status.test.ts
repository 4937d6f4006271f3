import { describe, expect, it } from "vitest";
import { type StoredData, setupStatus, WAITING_TEXT } from "../../web/src/features/onboarding/setup-status";

const now = Date.UTC(2026, 11, 4, 20, 0, 0);
const nothing: StoredData = { traces: 0, logs: 0, metricSeries: 0, newest: null };

describe("setupStatus", () => {
  it("waits for the first trace only while none is stored", () => {
    expect(setupStatus("open", nothing, now)).toEqual({ tone: "waiting", text: WAITING_TEXT });
    const status = setupStatus(
      "open",
      {
        traces: 78,
        logs: 236,
        metricSeries: 1,
        newest: { name: "GET /checkout", service: "web-frontend", startMs: now - 3_000 },
      },
      now,
    );
    expect(status.tone).toBe("stored");
    expect(status.text).not.toContain("Waiting");
    expect(status.text).toBe(
      "78 traces, 236 log records and 1 metric series stored so far. The newest, GET /checkout from web-frontend, started just now. This line updates by itself as more arrive.",
    );
    expect(setupStatus("open", { ...nothing, traces: 1 }, now).text).toBe(
      "1 trace stored so far. This line updates by itself as more arrive.",
    );
  });

  it("says what other signals arrived while no trace has", () => {
    expect(setupStatus("open", { ...nothing, logs: 2 }, now)).toEqual({
      tone: "waiting",
      text: `2 log records stored, but no trace yet. ${WAITING_TEXT}`,
    });
  });

  it("checks before the first answer, and says when the connection is lost", () => {
    expect(setupStatus("connecting", null, now).text).toBe("Checking what this instance has received…");
    expect(setupStatus("closed", null, now).tone).toBe("offline");
    expect(setupStatus("connecting", { ...nothing, traces: 3 }, now).tone).toBe("offline");
  });
});
