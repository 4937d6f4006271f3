import { describe, expect, it } from "vitest";
import type { RejectionsJson } from "../../src/protocol";
import {
  forwardingDropsSummary,
  lateSpansSummary,
  refusedRequestLabel,
  rejectionSummary,
} from "../../web/src/lib/rejection-summary";

const last = { at: "2026-12-02T04:00:00.000Z", path: "/v1/traces", status: 200, message: "span id" };

function counts(some: Partial<RejectionsJson>, at: RejectionsJson["last"] = last): RejectionsJson {
  return {
    rejectedRequests: 0,
    rejectedGrpcConnections: 0,
    rejectedSpans: 0,
    rejectedLogRecords: 0,
    rejectedDataPoints: 0,
    misdirectedRequests: 0,
    last: at,
    ...some,
  };
}

describe("rejectionSummary", () => {
  it("says nothing when nothing was refused", () => {
    expect(rejectionSummary(counts({}, null))).toBeNull();
  });

  it("counts requests of another signal sent to a path (stored nothing, warned)", () => {
    expect(rejectionSummary(counts({ misdirectedRequests: 2 }))).toBe("2 requests sent to another signal's path");
  });

  it("counts spans and requests with plurals", () => {
    expect(rejectionSummary(counts({ rejectedSpans: 1 }))).toBe("1 span rejected");
    expect(rejectionSummary(counts({ rejectedRequests: 2 }))).toBe("2 requests refused");
    expect(rejectionSummary(counts({ rejectedRequests: 1, rejectedSpans: 1200 }))).toBe(
      "1,200 spans rejected, 1 request refused",
    );
  });

  it("counts OTLP/gRPC sent to the HTTP port as the connections refused, apart from requests", () => {
    expect(rejectionSummary(counts({ rejectedGrpcConnections: 1 }))).toBe("1 OTLP/gRPC connection refused");
    expect(rejectionSummary(counts({ rejectedRequests: 1, rejectedGrpcConnections: 3 }))).toBe(
      "1 request refused, 3 OTLP/gRPC connections refused",
    );
  });

  it("names log records and data points apart from spans", () => {
    expect(rejectionSummary(counts({ rejectedLogRecords: 1, rejectedDataPoints: 3 }))).toBe(
      "1 log record rejected, 3 data points rejected",
    );
  });
});

describe("lateSpansSummary", () => {
  it("says nothing for none and counts with plurals", () => {
    expect(lateSpansSummary(0)).toBeNull();
    expect(lateSpansSummary(1)).toBe("1 late span of evicted traces dropped");
    expect(lateSpansSummary(1204)).toBe("1,204 late spans of evicted traces dropped");
  });
});

describe("forwardingDropsSummary", () => {
  it("names the one upstream that lost data, or counts them, and says nothing when none did", () => {
    expect(forwardingDropsSummary([{ url: "http://a:4318", dropped: 0 }])).toBeNull();
    expect(forwardingDropsSummary([])).toBeNull();
    expect(
      forwardingDropsSummary([
        { url: "http://a:4318", dropped: 0 },
        { url: "http://b:4318", dropped: 1 },
      ]),
    ).toBe("1 batch not forwarded to http://b:4318");
    expect(
      forwardingDropsSummary([
        { url: "http://a:4318", dropped: 1200 },
        { url: "http://b:4318", dropped: 3 },
      ]),
    ).toBe("1,203 batches not forwarded to 2 upstreams");
  });

  it("adds the items upstreams rejected from batches they took (partial success), naming where once", () => {
    expect(forwardingDropsSummary([{ url: "http://a:4318", dropped: 0, rejectedItems: 0 }])).toBeNull();
    expect(forwardingDropsSummary([{ url: "http://a:4318", dropped: 0, rejectedItems: 1 }])).toBe(
      "1 item rejected by http://a:4318",
    );
    expect(forwardingDropsSummary([{ url: "http://a:4318", dropped: 2, rejectedItems: 1200 }])).toBe(
      "2 batches not forwarded to http://a:4318, 1,200 items rejected by it",
    );
    expect(
      forwardingDropsSummary([
        { url: "http://a:4318", dropped: 1, rejectedItems: 0 },
        { url: "http://b:4318", dropped: 0, rejectedItems: 3 },
      ]),
    ).toBe("1 batch not forwarded to http://a:4318, 3 items rejected by http://b:4318");
  });
});

describe("refusedRequestLabel", () => {
  it("names an OTLP/HTTP refusal by its POST and status, an OTLP/gRPC one by its method and gRPC code", () => {
    expect(refusedRequestLabel({ path: "/v1/traces", status: 400 })).toBe("POST /v1/traces answered 400");
    expect(refusedRequestLabel({ path: "/v1/logs", status: 200 })).toBe("POST /v1/logs partial success");
    const method = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    expect(refusedRequestLabel({ path: method, status: 400 })).toBe(`gRPC ${method} refused (INVALID_ARGUMENT)`);
    expect(refusedRequestLabel({ path: method, status: 413 })).toBe(`gRPC ${method} refused (RESOURCE_EXHAUSTED)`);
    expect(refusedRequestLabel({ path: method, status: 415 })).toBe(`gRPC ${method} refused (UNIMPLEMENTED)`);
    expect(refusedRequestLabel({ path: method, status: 200 })).toBe(`gRPC ${method} partial success`);
    expect(refusedRequestLabel({ path: "*", status: 400 })).toBe("OTLP/gRPC connection to the HTTP port refused");
  });

  it("names an HTTP/1.1 request to the gRPC port by the method it came with, never as gRPC", () => {
    expect(refusedRequestLabel({ method: "GET", path: "/v1/traces", status: 400 })).toBe("GET /v1/traces answered 400");
    expect(refusedRequestLabel({ method: "POST", path: "/v1/logs", status: 400 })).toBe("POST /v1/logs answered 400");
    const method = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    expect(refusedRequestLabel({ method: "GET", path: method, status: 400 })).toBe(`GET ${method} answered 400`);
  });
});
