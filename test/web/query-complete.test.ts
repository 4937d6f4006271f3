import { describe, expect, it } from "vitest";
import { parseQuery } from "../../src/domain/query";
import {
  applyCompletion,
  completionContext,
  matchSuggestions,
  QUERY_FIELDS,
  quoteValue,
} from "../../web/src/features/trace-list/query-complete";

/** The context at the `|` marker of `marked`. */
function at(marked: string) {
  const caret = marked.indexOf("|");
  return completionContext(marked.slice(0, caret) + marked.slice(caret + 1), caret);
}

describe("completionContext", () => {
  it("finds the key being typed, after spaces, parentheses, | and a leading minus", () => {
    expect(at("http.ro|")).toEqual({ kind: "key", prefix: "http.ro", from: 0, to: 7 });
    expect(at("service=api http.|")).toEqual({ kind: "key", prefix: "http.", from: 12, to: 17 });
    expect(at("(a |b")).toEqual({ kind: "key", prefix: "", from: 3, to: 4 });
    expect(at("-htt|")).toEqual({ kind: "key", prefix: "htt", from: 1, to: 4 });
    expect(at("ht|tp=5")).toEqual({ kind: "key", prefix: "ht", from: 0, to: 4 });
    expect(at("|")).toEqual({ kind: "key", prefix: "", from: 0, to: 0 });
  });

  it("finds the value after any operator, quoted or not", () => {
    expect(at("service=ap|")).toEqual({ kind: "value", key: "service", prefix: "ap", from: 8, to: 10 });
    expect(at("http.status_code>=5|")).toMatchObject({ kind: "value", key: "http.status_code", prefix: "5" });
    expect(at('user.name="Ada L|"')).toEqual({ kind: "value", key: "user.name", prefix: "Ada L", from: 10, to: 17 });
    expect(at("a=1 kind=|")).toEqual({ kind: "value", key: "kind", prefix: "", from: 9, to: 9 });
  });

  it("offers nothing inside quoted text or for keywords", () => {
    expect(at('"some te|')).toBeNull();
    expect(at("a or|")).toBeNull();
    expect(at("=x|")).toBeNull();
  });
});

describe("matchSuggestions", () => {
  it("puts prefix matches before other matches, ignoring case, without duplicates or the word itself", () => {
    const keys = ["http.route", "url.path", "http.request.method", "HTTP.x", "http.route", "http"];
    expect(matchSuggestions("http", keys)).toEqual(["http.route", "http.request.method", "HTTP.x"]);
    expect(matchSuggestions("path", keys)).toEqual(["url.path"]);
    expect(matchSuggestions("", ["a", "b", "c"], 2)).toEqual(["a", "b"]);
  });

  it("offers every span field the query language knows, operation, peer and the span's scope among them", () => {
    expect(matchSuggestions("op", QUERY_FIELDS)).toEqual(["operation", "otel.scope.name", "otel.scope.version"]);
    expect(matchSuggestions("otel.sc", QUERY_FIELDS)).toEqual(["otel.scope.name", "otel.scope.version"]);
    expect(matchSuggestions("pe", QUERY_FIELDS)).toEqual([
      "peer",
      "operation",
      "otel.scope.name",
      "otel.scope.version",
    ]);
    const values: Record<string, string> = { status: "ok", kind: "server", duration: "1s" };
    for (const field of QUERY_FIELDS) {
      const { text } = applyCompletion("", completionContext("", 0) as never, field);
      expect(parseQuery(text + (values[field] ?? "x")), field).not.toMatchObject({ type: "attribute" });
    }
  });
});

describe("applyCompletion", () => {
  it("writes a key with an operator and puts the caret after it", () => {
    const context = completionContext("service=api http.ro", 19);
    expect(applyCompletion("service=api http.ro", context as never, "http.route")).toEqual({
      text: "service=api http.route=",
      caret: 23,
    });
    expect(applyCompletion("dur", completionContext("dur", 3) as never, "duration")).toEqual({
      text: "duration>",
      caret: 9,
    });
  });

  it("writes a value, quoted when it must be, and a space after it", () => {
    const text = "service=ch kind=server";
    const context = completionContext(text, 10);
    expect(applyCompletion(text, context as never, "checkout")).toEqual({
      text: "service=checkout kind=server",
      caret: 16,
    });
    expect(applyCompletion("user.name=Ad", completionContext("user.name=Ad", 12) as never, 'Ada "A" L')).toEqual({
      text: 'user.name="Ada \\"A\\" L" ',
      caret: 24,
    });
  });

  it("quotes what the parser would otherwise split", () => {
    expect(quoteValue("plain")).toBe("plain");
    expect(quoteValue("GET /a")).toBe('"GET /a"');
    expect(quoteValue("a|b")).toBe('"a|b"');
    expect(quoteValue("")).toBe('""');
    expect(quoteValue("C:\\x")).toBe('"C:\\\\x"');
  });
});
