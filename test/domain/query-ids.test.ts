import { describe, expect, it } from "vitest";
import { idOfQuery } from "../../src/domain/query-ids.js";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const SPAN = "b7ad6b7169203331";

describe("idOfQuery", () => {
  it("reads a trace id as the search box does: any case, quoted, as trace_id=, or in a traceparent", () => {
    for (const q of [TRACE, TRACE.toUpperCase(), ` "${TRACE}" `, `trace_id=${TRACE}`, `traceId = "${TRACE}"`]) {
      expect(idOfQuery(q), q).toEqual({ traceId: TRACE });
    }
    expect(idOfQuery(`00-${TRACE}-${SPAN}-01`)).toEqual({ traceId: TRACE, spanId: SPAN });
  });

  it("reads a span id the same ways, and nothing else as an id", () => {
    for (const q of [SPAN, SPAN.toUpperCase(), `"${SPAN}"`, `span_id=${SPAN}`])
      expect(idOfQuery(q)).toEqual({ spanId: SPAN });
    for (const q of ["0".repeat(32), "0".repeat(16), `${TRACE}0`, `service=${TRACE}`, `"${TRACE}`, "GET /orders", ""]) {
      expect(idOfQuery(q), q).toBeNull();
    }
  });
});
