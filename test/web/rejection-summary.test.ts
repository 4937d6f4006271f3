import { describe, expect, it } from "vitest";
import { rejectionSummary } from "../../web/src/lib/rejection-summary";

const last = { at: "2026-12-02T04:00:00.000Z", path: "/v1/traces", status: 200, message: "span id" };

describe("rejectionSummary", () => {
  it("says nothing when nothing was refused", () => {
    expect(rejectionSummary({ rejectedRequests: 0, rejectedSpans: 0, last: null })).toBeNull();
  });

  it("counts spans and requests with plurals", () => {
    expect(rejectionSummary({ rejectedRequests: 0, rejectedSpans: 1, last })).toBe("1 span rejected");
    expect(rejectionSummary({ rejectedRequests: 2, rejectedSpans: 0, last })).toBe("2 requests refused");
    expect(rejectionSummary({ rejectedRequests: 1, rejectedSpans: 1200, last })).toBe(
      "1,200 spans rejected, 1 request refused",
    );
  });
});
