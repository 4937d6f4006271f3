import { describe, expect, it } from "vitest";
import { parseQuery } from "../../src/domain/query";
import { attributeSearchTerm, searchHref } from "../../web/src/features/trace-view/attribute-search";

describe("attributeSearchTerm", () => {
  it("writes key=value that the query language reads back as that attribute and value, however odd the text", () => {
    const values = [
      "checkout",
      "GET /orders",
      'say "hi"',
      "C:\\temp\\x",
      "two\nlines\tand\rreturn",
      "",
      "a|b (c)",
      "-x",
    ];
    for (const value of values) {
      const term = attributeSearchTerm("app.note", value, "spans") as string;
      expect(parseQuery(term)).toEqual({ type: "attribute", key: "app.note", op: "=", value, number: null });
      // One line of text in the search box, whatever the value holds.
      expect(term).not.toMatch(/[\n\t\r]/);
    }
    expect(parseQuery(attributeSearchTerm("http.response.status_code", 500, "spans") as string)).toMatchObject({
      type: "attribute",
      op: "=",
      number: 500,
    });
    expect(attributeSearchTerm("app.ratio", 0.25, "spans")).toBe("app.ratio=0.25");
    expect(attributeSearchTerm("app.retry", true, "spans")).toBe("app.retry=true");
    expect(attributeSearchTerm("order.id", "42", "logs")).toBe('order.id="42"');
  });

  it("offers nothing it cannot search for: lists, maps, bytes, long values, long keys", () => {
    expect(attributeSearchTerm("tags", ["a", "b"], "spans")).toBeNull();
    expect(attributeSearchTerm("payload", { a: 1 }, "spans")).toBeNull();
    expect(attributeSearchTerm("payload", null, "spans")).toBeNull();
    expect(attributeSearchTerm("payload", "AQID", "spans", true)).toBeNull();
    expect(attributeSearchTerm("db.query.text", "x".repeat(201), "spans")).toBeNull();
    expect(attributeSearchTerm("db.query.text", "x".repeat(200), "spans")).not.toBeNull();
    expect(attributeSearchTerm("k".repeat(201), "v", "spans")).toBeNull();
    expect(attributeSearchTerm("k".repeat(200), "v", "spans")).not.toBeNull();
    expect(attributeSearchTerm("error", true, "logs")).toBe("error=true");
    expect(attributeSearchTerm("level", "v", "spans")).toBe('level="v"');
    expect(attributeSearchTerm("n", Number.NaN, "spans")).toBeNull();
  });

  it("writes a key the language reads otherwise as @key, or quoted, which is always the attribute of that name", () => {
    const cases: [string, "spans" | "logs", string][] = [
      // Span fields: a log record's `status` is no span status, and the trace list reads `status=` as the span's.
      ["status", "logs", "@status"],
      ["kind", "logs", "@kind"],
      ["duration", "logs", "@duration"],
      ["operation", "logs", "@operation"],
      ["status", "spans", "@status"],
      ["Name", "spans", "@Name"],
      // A log query reads these as the record's level and body.
      ["severity", "logs", "@severity"],
      ["level", "logs", "@level"],
      ["body", "logs", "@body"],
      // Jaeger's tags, which a trace query reads as the span's status or kind.
      ["error", "spans", "@error"],
      ["otel.status_code", "spans", "@otel.status_code"],
      ["span.kind", "spans", "@span.kind"],
      // No word: a space, an operator, a quote, a colon, a leading - or @.
      ["my key", "spans", '"my key"'],
      ["a=b", "logs", '"a=b"'],
      ['say"', "spans", '"say\\""'],
      ["-neg", "spans", '"-neg"'],
      ["(x)", "logs", '"(x)"'],
      ["service:x", "spans", '"service:x"'],
      ["@timestamp", "logs", '"@timestamp"'],
    ];
    for (const [key, subject, written] of cases) {
      const term = attributeSearchTerm(key, 500, subject) as string;
      expect(term).toBe(`${written}=500`);
      expect(parseQuery(term, subject)).toEqual({
        type: "attribute",
        key,
        op: "=",
        value: "500",
        number: 500,
        attributeOnly: true,
      });
    }
    expect(attributeSearchTerm("error", false, "spans")).toBe("@error=false");
    expect(attributeSearchTerm("status", "declined", "logs")).toBe('@status="declined"');
  });

  it("opens the trace list or the Logs page with the term as its search", () => {
    expect(searchHref("app.order.id=10", "spans")).toBe("/?q=app.order.id%3D10");
    expect(searchHref('order.id="42"', "logs")).toBe("/logs?q=order.id%3D%2242%22");
  });
});
