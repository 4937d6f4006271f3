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

  it("offers nothing it cannot search for: lists, maps, bytes, long values, keys the language reads otherwise", () => {
    expect(attributeSearchTerm("tags", ["a", "b"], "spans")).toBeNull();
    expect(attributeSearchTerm("payload", { a: 1 }, "spans")).toBeNull();
    expect(attributeSearchTerm("payload", null, "spans")).toBeNull();
    expect(attributeSearchTerm("payload", "AQID", "spans", true)).toBeNull();
    expect(attributeSearchTerm("db.query.text", "x".repeat(201), "spans")).toBeNull();
    expect(attributeSearchTerm("db.query.text", "x".repeat(200), "spans")).not.toBeNull();
    expect(attributeSearchTerm("k".repeat(201), "v", "spans")).toBeNull();
    expect(attributeSearchTerm("k".repeat(200), "v", "spans")).not.toBeNull();
    // A key with a space, an operator or a quote is no key to the language; nor a span field's name.
    for (const key of ["my key", "a=b", 'say"', "-neg", "(x)", "status", "Name", "duration"]) {
      expect(attributeSearchTerm(key, "v", "spans")).toBeNull();
    }
    // A log query reads these as the record's level and body.
    for (const key of ["severity", "level", "body"]) expect(attributeSearchTerm(key, "v", "logs")).toBeNull();
    // A trace query reads Jaeger's tags as the span's status or kind: `error=false` would find nearly every trace.
    expect(attributeSearchTerm("error", false, "spans")).toBeNull();
    expect(attributeSearchTerm("Error", "true", "spans")).toBeNull();
    expect(attributeSearchTerm("otel.status_code", "ERROR", "spans")).toBeNull();
    expect(attributeSearchTerm("span.kind", "client", "spans")).toBeNull();
    expect(attributeSearchTerm("error", true, "logs")).toBe("error=true");
    expect(attributeSearchTerm("level", "v", "spans")).toBe('level="v"');
    expect(attributeSearchTerm("n", Number.NaN, "spans")).toBeNull();
  });

  it("opens the trace list or the Logs page with the term as its search", () => {
    expect(searchHref("app.order.id=10", "spans")).toBe("/?q=app.order.id%3D10");
    expect(searchHref('order.id="42"', "logs")).toBe("/logs?q=order.id%3D%2242%22");
  });
});
