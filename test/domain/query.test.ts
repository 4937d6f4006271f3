import { describe, expect, it } from "vitest";
import {
  numberOf,
  numberOfText,
  parseQuery,
  parseQueryDuration,
  QueryError,
  type QuerySubject,
  queryRefusal,
} from "../../src/domain/query.js";
import { aliasReadsOf } from "../../src/domain/semconv-aliases.js";

function errorOf(source: string, subject: QuerySubject = "spans"): { message: string; position: number } {
  try {
    parseQuery(source, subject);
  } catch (error) {
    if (error instanceof QueryError) return { message: error.message, position: error.position };
    throw error;
  }
  throw new Error(`"${source}" parsed`);
}

describe("parseQuery", () => {
  it("is no filter when blank", () => {
    expect(parseQuery("")).toBeUndefined();
    expect(parseQuery("   \t ")).toBeUndefined();
  });

  it("reads bare words as text that may also name an attribute, and quoted text as text only", () => {
    expect(parseQuery("checkout")).toEqual({ type: "text", text: "checkout", alsoKey: true });
    expect(parseQuery('"http.route"')).toEqual({ type: "text", text: "http.route", alsoKey: false });
    expect(parseQuery('"a \\"b\\" \\\\ c\\td"')).toEqual({ type: "text", text: 'a "b" \\ c\td', alsoKey: false });
    expect(parseQuery("C:\\tmp")).toEqual({ type: "text", text: "C:\\tmp", alsoKey: true });
    // "!" is text unless it starts "!=".
    expect(parseQuery("failed!")).toEqual({ type: "text", text: "failed!", alsoKey: true });
    expect(parseQuery("a!b")).toEqual({ type: "text", text: "a!b", alsoKey: true });
  });

  it("reads every comparison operator on attributes", () => {
    expect(parseQuery("app.order.id=89581")).toEqual({
      type: "attribute",
      key: "app.order.id",
      op: "=",
      value: "89581",
      number: 89581,
    });
    for (const op of ["!=", ">", "<", ">=", "<="] as const) {
      expect(parseQuery(`http.status_code${op}500`)).toMatchObject({ type: "attribute", op, number: 500 });
    }
    expect(parseQuery("db.statement~select")).toEqual({
      type: "attribute",
      key: "db.statement",
      op: "~",
      value: "select",
      number: null,
    });
    expect(parseQuery('user.name="Ada Lovelace"')).toMatchObject({ value: "Ada Lovelace", number: null });
    expect(parseQuery('note=""')).toMatchObject({ type: "attribute", value: "" });
  });

  it("reads a comparison written with spaces around its operator", () => {
    expect(parseQuery("status = error")).toEqual({ type: "status", op: "=", value: "error" });
    expect(parseQuery("http.status_code >= 500")).toMatchObject({ type: "attribute", op: ">=", number: 500 });
    expect(parseQuery('service =checkout name~ "GET /a"')).toEqual({
      type: "and",
      items: [
        { type: "field", field: "service", op: "=", value: "checkout" },
        { type: "field", field: "name", op: "~", value: "GET /a" },
      ],
    });
    // A lone "!" after a word stays text; "!=" compares.
    expect(parseQuery("failed ! now")).toMatchObject({ type: "and" });
    expect(parseQuery("kind != server")).toEqual({ type: "kind", op: "!=", value: "server" });
  });

  it("reads span fields: service, name, status, kind, duration", () => {
    expect(parseQuery("service=checkout")).toEqual({ type: "field", field: "service", op: "=", value: "checkout" });
    expect(parseQuery("name~GET")).toEqual({ type: "field", field: "name", op: "~", value: "GET" });
    expect(parseQuery("status=ERROR")).toEqual({ type: "status", op: "=", value: "error" });
    expect(parseQuery("kind!=server")).toEqual({ type: "kind", op: "!=", value: "server" });
    expect(parseQuery("duration>250ms")).toEqual({ type: "duration", op: ">", nanos: 250_000_000n });
    expect(parseQuery("duration<=1.5s")).toEqual({ type: "duration", op: "<=", nanos: 1_500_000_000n });
  });

  it("reads Jaeger's tags for status and kind as the span's (or an attribute so named); logs keep them attributes", () => {
    const attribute = (key: string, op: string, value: string) => ({ type: "attribute", key, op, value, number: null });
    expect(parseQuery("error=true")).toEqual({
      type: "or",
      items: [{ type: "status", op: "=", value: "error" }, attribute("error", "=", "true")],
    });
    // The negated forms are the "=" form negated, attribute and all (an attribute's != would need the key).
    const errorTrue = {
      type: "or",
      items: [{ type: "status", op: "=", value: "error" }, attribute("error", "=", "true")],
    };
    expect(parseQuery("error=false")).toEqual({ type: "not", item: errorTrue });
    expect(parseQuery("error!=true")).toEqual({ type: "not", item: errorTrue });
    expect(parseQuery("error!=false")).toEqual(errorTrue);
    expect(parseQuery("otel.status_code=ERROR")).toEqual({
      type: "or",
      items: [{ type: "status", op: "=", value: "error" }, attribute("otel.status_code", "=", "ERROR")],
    });
    expect(parseQuery("span.kind != Server")).toEqual({
      type: "not",
      item: { type: "or", items: [{ type: "kind", op: "=", value: "server" }, attribute("span.kind", "=", "Server")] },
    });
    expect(parseQuery("otel.status_code!=Ok")).toEqual({
      type: "not",
      item: { type: "or", items: [{ type: "status", op: "=", value: "ok" }, attribute("otel.status_code", "=", "Ok")] },
    });
    // Anything else about those keys is an attribute term, as before.
    expect(parseQuery("error=1")).toEqual({ ...attribute("error", "=", "1"), number: 1 });
    expect(parseQuery("span.kind~serv")).toEqual(attribute("span.kind", "~", "serv"));
    expect(parseQuery("otel.status_code=broken")).toEqual(attribute("otel.status_code", "=", "broken"));
    expect(parseQuery("error=true", "logs")).toEqual(attribute("error", "=", "true"));
  });

  it("reads otel.scope.name / .version (and otel.library.*) as the span's or log record's scope, or an attribute so named", () => {
    const attribute = (key: string, op: string, value: string) => ({ type: "attribute", key, op, value, number: null });
    const scope = (key: string, part: "name" | "version", op: "=" | "~", value: string) => ({
      type: "or",
      items: [{ type: "scope", part, op, value }, attribute(key, op, value)],
    });
    expect(parseQuery("otel.scope.name=pg")).toEqual(scope("otel.scope.name", "name", "=", "pg"));
    expect(parseQuery("otel.library.version~v1.")).toEqual(scope("otel.library.version", "version", "~", "v1."));
    expect(parseQuery("otel.scope.name!=pg")).toEqual({
      type: "not",
      item: scope("otel.scope.name", "name", "=", "pg"),
    });
    // Numbers compare attributes only; a log query reads the record's scope as a span query reads the span's.
    expect(parseQuery("otel.scope.version>1")).toEqual({ ...attribute("otel.scope.version", ">", "1"), number: 1 });
    expect(parseQuery("otel.scope.name=pg", "logs")).toEqual(scope("otel.scope.name", "name", "=", "pg"));
    expect(parseQuery("otel.library.name!=pg", "logs")).toEqual({
      type: "not",
      item: scope("otel.library.name", "name", "=", "pg"),
    });
  });

  it("reads operation= (the Services page's name of a span's operation) with =, != and ~ only; logs refuse it", () => {
    expect(parseQuery('operation="GET /items/:id"')).toEqual({
      type: "field",
      field: "operation",
      op: "=",
      value: "GET /items/:id",
    });
    expect(parseQuery("Operation!=render")).toEqual({ type: "field", field: "operation", op: "!=", value: "render" });
    expect(parseQuery("operation~items")).toEqual({ type: "field", field: "operation", op: "~", value: "items" });
    expect(errorOf("operation>5")).toEqual({ message: 'operation takes =, != or ~, not ">"', position: 9 });
    expect(() => parseQuery("operation=render", "logs")).toThrow("log records have no operation");
  });

  it("reads peer= (a node a span calls, by the service map's rule) with =, != and ~ only; logs refuse it", () => {
    expect(parseQuery('peer="postgresql shop"')).toEqual({
      type: "field",
      field: "peer",
      op: "=",
      value: "postgresql shop",
    });
    expect(parseQuery("Peer!=checkout")).toEqual({ type: "field", field: "peer", op: "!=", value: "checkout" });
    expect(parseQuery("peer~pay")).toEqual({ type: "field", field: "peer", op: "~", value: "pay" });
    expect(errorOf("peer>=5")).toEqual({ message: 'peer takes =, != or ~, not ">="', position: 4 });
    expect(() => parseQuery("peer=checkout", "logs")).toThrow("log records call nothing: peer= is for spans");
    // A key that only starts so is an attribute, as before.
    expect(parseQuery("peer.service=checkout")).toMatchObject({ type: "attribute", key: "peer.service" });
  });

  it("reads durations in every unit, a bare number as milliseconds", () => {
    expect(parseQueryDuration("10ns")).toBe(10n);
    expect(parseQueryDuration("10us")).toBe(10_000n);
    expect(parseQueryDuration("10µs")).toBe(10_000n);
    expect(parseQueryDuration("10ms")).toBe(10_000_000n);
    expect(parseQueryDuration("2s")).toBe(2_000_000_000n);
    expect(parseQueryDuration("2m")).toBe(120_000_000_000n);
    expect(parseQueryDuration("1h")).toBe(3_600_000_000_000n);
    expect(parseQueryDuration("250")).toBe(250_000_000n);
    expect(parseQueryDuration(".5s")).toBe(500_000_000n);
    expect(parseQueryDuration("fast")).toBeNull();
    expect(parseQueryDuration("-1ms")).toBeNull();
  });

  it("joins by juxtaposition (AND), | and or (OR, looser), with parentheses and negation", () => {
    const a = { type: "text", text: "a", alsoKey: true };
    const b = { type: "text", text: "b", alsoKey: true };
    const c = { type: "text", text: "c", alsoKey: true };
    expect(parseQuery("a b | c")).toEqual({ type: "or", items: [{ type: "and", items: [a, b] }, c] });
    expect(parseQuery("a b or c")).toEqual(parseQuery("a b | c"));
    expect(parseQuery("a and b")).toEqual({ type: "and", items: [a, b] });
    // As other tools and most languages write them.
    expect(parseQuery("a && b || c")).toEqual(parseQuery("a b | c"));
    expect(parseQuery("a&&b||c")).toEqual(parseQuery("a b | c"));
    expect(parseQuery("status=error&&duration>250ms")).toEqual(parseQuery("status=error duration>250ms"));
    // One & is text.
    expect(parseQuery("a&b")).toEqual({ type: "text", text: "a&b", alsoKey: true });
    expect(parseQuery("status=error||duration>250ms")).toEqual(parseQuery("status=error | duration>250ms"));
    expect(() => parseQuery("a ||")).toThrow('expected a term after "or"');
    expect(() => parseQuery("a && || b")).toThrow('expected a term after "and"');
    expect(parseQuery("a (b|c)")).toEqual({ type: "and", items: [a, { type: "or", items: [b, c] }] });
    expect(parseQuery("-a b")).toEqual({ type: "and", items: [{ type: "not", item: a }, b] });
    expect(parseQuery("NOT (a | b)")).toEqual({ type: "not", item: { type: "or", items: [a, b] } });
    expect(parseQuery("-http.route")).toEqual({
      type: "not",
      item: { type: "text", text: "http.route", alsoKey: true },
    });
    // A lone minus or a negative number is text.
    expect(parseQuery("-5")).toEqual({ type: "text", text: "-5", alsoKey: true });
    expect(parseQuery("status=error|status=ok")).toMatchObject({
      type: "or",
      items: [{ value: "error" }, { value: "ok" }],
    });
    expect(parseQuery("(service=a)")).toEqual({ type: "field", field: "service", op: "=", value: "a" });
  });

  it("says what is wrong and where", () => {
    expect(errorOf("service=")).toEqual({
      position: 8,
      message: expect.stringContaining('expected a value after "="'),
    });
    expect(errorOf("=x")).toEqual({ position: 0, message: 'expected an attribute key before "="' });
    expect(errorOf("a > b")).toEqual({ position: 4, message: '">" compares numbers, and "b" is not one' });
    expect(errorOf("service = ")).toMatchObject({ position: 10, message: expect.stringContaining("expected a value") });
    expect(errorOf("http.status_code>abc")).toEqual({
      position: 17,
      message: '">" compares numbers, and "abc" is not one',
    });
    expect(errorOf("duration>fast")).toEqual({
      position: 9,
      message: expect.stringContaining('"fast" is not a duration'),
    });
    expect(errorOf("status=broken")).toEqual({
      position: 7,
      message: 'status is one of error, ok, unset, not "broken"',
    });
    expect(errorOf("kind=web").message).toContain("server, client, producer, consumer, internal");
    expect(errorOf("status>1")).toMatchObject({ position: 6, message: 'status takes = or !=, not ">"' });
    expect(errorOf("duration~1")).toMatchObject({ position: 8 });
    expect(errorOf("service>1")).toMatchObject({ message: 'service takes =, != or ~, not ">"' });
    expect(errorOf('a "open')).toEqual({ position: 2, message: "this quote is never closed" });
    expect(errorOf("(a b")).toEqual({ position: 0, message: 'this "(" is never closed' });
    expect(errorOf("a b)")).toEqual({ position: 3, message: 'this ")" closes nothing' });
    expect(errorOf("()")).toEqual({ position: 1, message: 'expected a term inside "( )"' });
    expect(errorOf("a |")).toEqual({ position: 3, message: 'expected a term after "or"' });
    expect(errorOf("| a")).toEqual({ position: 0, message: 'expected a term before "or"' });
    expect(errorOf("a and")).toEqual({ position: 5, message: 'expected a term after "and"' });
    expect(errorOf("not")).toEqual({ position: 3, message: 'expected a term after "not"' });
  });

  it("refuses the operators of other query languages, saying what to write", () => {
    expect(errorOf("http.status_code==500")).toEqual({
      position: 16,
      message: '"==" is not an operator: did you mean http.status_code=500?',
    });
    expect(errorOf('service == "shop api"').message).toBe('"==" is not an operator: did you mean service="shop api"?');
    expect(errorOf("http.method!==GET").message).toBe('"!==" is not an operator: did you mean http.method!=GET?');
    expect(errorOf("http.status_code>==500").message).toContain("did you mean http.status_code>=500?");
    expect(errorOf('name=~"GET.*"')).toMatchObject({
      position: 4,
      message: expect.stringContaining('did you mean name~"GET.*"?'),
    });
    expect(errorOf("name!~health")).toMatchObject({
      position: 4,
      message: expect.stringContaining("did you mean -name~health?"),
    });
    // A value that starts with "=" is still written quoted.
    expect(parseQuery('formula="=1+1"')).toMatchObject({ type: "attribute", value: "=1+1" });
  });

  it("reads key:value as key=value for the fields and known attributes, and @key:value for any attribute", () => {
    expect(parseQuery("service:shop-api")).toEqual({ type: "field", field: "service", op: "=", value: "shop-api" });
    expect(parseQuery('service:"shop api"')).toEqual({ type: "field", field: "service", op: "=", value: "shop api" });
    expect(parseQuery("-service:shop-api status:error")).toEqual({
      type: "and",
      items: [
        { type: "not", item: { type: "field", field: "service", op: "=", value: "shop-api" } },
        { type: "status", op: "=", value: "error" },
      ],
    });
    expect(parseQuery("http.status_code:500")).toMatchObject({
      type: "attribute",
      key: "http.status_code",
      number: 500,
    });
    expect(parseQuery("http.route:/items/:id")).toMatchObject({
      type: "attribute",
      key: "http.route",
      value: "/items/:id",
    });
    expect(parseQuery("duration:>250ms")).toEqual({ type: "duration", op: ">", nanos: 250_000_000n });
    expect(parseQuery("@app.order.id:89581")).toMatchObject({ type: "attribute", key: "app.order.id", number: 89581 });
    expect(parseQuery("level:warn", "logs")).toMatchObject({ type: "attribute", key: "level", value: "warn" });
    // Any other word with a colon is text, and so is a known key with nothing after its colon.
    for (const text of ["localhost:3000", "user:42", "/items/:id", "error:true", "Error:", "node:internal"]) {
      expect(parseQuery(text)).toEqual({ type: "text", text, alsoKey: true });
    }
    expect(errorOf("status:200")).toEqual({
      position: 7,
      message: 'status is one of error, ok, unset, not "200"; to search for the text, quote it: "status:200"',
    });
  });

  it("reads key:value in a log query only for keys a record has, and body:text as text in the body", () => {
    // Span terms are text in a log query, as they were before key:value was read: a 400 would
    // refuse a search for text such a record's body holds.
    for (const text of ["status:500", "status:error", "duration:12ms", "kind:Pod", "operation:x", "peer:db"]) {
      expect(parseQuery(text, "logs")).toEqual({ type: "text", text, alsoKey: true });
    }
    for (const text of ["span.kind:server", "otel.status_code:ERROR"]) {
      expect(parseQuery(text, "logs")).toEqual({ type: "text", text, alsoKey: true });
    }
    // A record's event name, as name= reads it.
    expect(parseQuery("name:job.failed", "logs")).toEqual({
      type: "field",
      field: "name",
      op: "=",
      value: "job.failed",
    });
    // The written form of a span term still says what to write.
    expect(errorOf("status=error", "logs").message).toContain("log records have no status");
    // body:text finds the text in the body (any case), not a body that is exactly it.
    expect(parseQuery("body:timeout", "logs")).toEqual({
      type: "attribute",
      key: "body",
      op: "~",
      value: "timeout",
      number: null,
    });
    expect(parseQuery('body:"timed out"', "logs")).toMatchObject({ key: "body", op: "~", value: "timed out" });
    expect(parseQuery("level:warn service:pay trace_id:abc", "logs")).toEqual({
      type: "and",
      items: [
        { type: "attribute", key: "level", op: "=", value: "warn", number: null },
        { type: "field", field: "service", op: "=", value: "pay" },
        { type: "attribute", key: "trace_id", op: "=", value: "abc", number: null },
      ],
    });
    expect(parseQuery("http.status_code:500", "logs")).toMatchObject({ key: "http.status_code", op: "=", number: 500 });
    // Spans read them as before.
    expect(parseQuery("status:error")).toEqual({ type: "status", op: "=", value: "error" });
    expect(parseQuery("kind:server")).toEqual({ type: "kind", op: "=", value: "server" });
    expect(parseQuery("body:timeout")).toEqual({ type: "text", text: "body:timeout", alsoKey: true });
  });

  it("reads @key and a quoted key as the attribute of that name, never a field, level, body or tag", () => {
    const attribute = (key: string, op: string, value: string, number: number | null) => ({
      type: "attribute",
      key,
      op,
      value,
      number,
      attributeOnly: true,
    });
    for (const subject of ["spans", "logs"] as const) {
      expect(parseQuery("@status=500", subject)).toEqual(attribute("status", "=", "500", 500));
      expect(parseQuery("@status:500", subject)).toEqual(attribute("status", "=", "500", 500));
      expect(parseQuery("@retries:>3", subject)).toEqual(attribute("retries", ">", "3", 3));
      expect(parseQuery('"status"=500', subject)).toEqual(attribute("status", "=", "500", 500));
      expect(parseQuery('"my key" ~ "a b"', subject)).toEqual(attribute("my key", "~", "a b", null));
      expect(parseQuery('"@timestamp"=1', subject)).toEqual(attribute("@timestamp", "=", "1", 1));
      expect(parseQuery("@kind=job @operation:charge", subject)).toEqual({
        type: "and",
        items: [attribute("kind", "=", "job", null), attribute("operation", "=", "charge", null)],
      });
    }
    expect(parseQuery("@level=warn", "logs")).toEqual(attribute("level", "=", "warn", null));
    expect(parseQuery("@body:x", "logs")).toEqual(attribute("body", "=", "x", null));
    expect(parseQuery("@error=true")).toEqual(attribute("error", "=", "true", null));
    expect(parseQuery("@otel.scope.name=x")).toEqual(attribute("otel.scope.name", "=", "x", null));
    // Quoted text with no operator after it stays text.
    expect(parseQuery('"failed"!')).toMatchObject({ type: "and", items: [{ type: "text", text: "failed" }, {}] });
    expect(errorOf('""=1').message).toBe('expected an attribute key before "="');
    expect(errorOf("@duration>1s").message).toBe(
      '">" compares numbers, and "1s" is not one; duration>1s reads the span\'s duration',
    );
  });

  it("names the @key form when a log query refuses a span field", () => {
    expect(errorOf("status=500", "logs").message).toBe(
      "log records have no status field: severity>=error finds failures; @status=500 finds the attribute",
    );
    expect(errorOf("kind=job", "logs").message).toBe("log records have no span kind: @kind=job finds the attribute");
    expect(errorOf("duration>10", "logs").message).toBe(
      "log records have no duration: @duration>10 finds the attribute",
    );
    expect(errorOf('operation = "charge"', "logs").message).toBe(
      'log records have no operation: @operation="charge" finds the attribute',
    );
  });

  it("keeps = and other operator characters in a key:value's value", () => {
    expect(parseQuery("url.full:http://x:8080/a?b=c")).toEqual({
      type: "attribute",
      key: "url.full",
      op: "=",
      value: "http://x:8080/a?b=c",
      number: null,
    });
    expect(parseQuery("http.target:/a?b=c&d=e")).toMatchObject({ key: "http.target", op: "=", value: "/a?b=c&d=e" });
    expect(parseQuery("service:a=b")).toEqual({ type: "field", field: "service", op: "=", value: "a=b" });
    expect(parseQuery("url.full:http://a?x==1")).toMatchObject({ key: "url.full", value: "http://a?x==1" });
    expect(parseQuery("@app.filter:a>=1")).toMatchObject({ key: "app.filter", op: "=", value: "a>=1" });
    expect(parseQuery("url.full:http://x/?q=1", "logs")).toMatchObject({ key: "url.full", value: "http://x/?q=1" });
    expect(parseQuery("service:a=b status:error")).toEqual({
      type: "and",
      items: [
        { type: "field", field: "service", op: "=", value: "a=b" },
        { type: "status", op: "=", value: "error" },
      ],
    });
    // The operator form still compares after a colon, and a word that is not key:value as before.
    expect(parseQuery("duration:>=250ms")).toEqual({ type: "duration", op: ">=", nanos: 250_000_000n });
    // Any attribute-shaped key in the range form, never a key ending in a colon that matches nothing.
    expect(parseQuery("retries:>3")).toMatchObject({ type: "attribute", key: "retries", op: ">", number: 3 });
    expect(parseQuery("http.response.status_code:>=500", "logs")).toMatchObject({
      type: "attribute",
      key: "http.response.status_code",
      op: ">=",
      number: 500,
    });
    expect(errorOf("status:>500", "logs").message).toContain("log records have no status");
    expect(parseQuery("user:42=x")).toMatchObject({ type: "attribute", key: "user:42", value: "x" });
    expect(errorOf("kind:a=b")).toEqual({
      position: 5,
      message:
        'kind is one of server, client, producer, consumer, internal, unspecified, not "a=b"; to search for the text, quote it: "kind:a=b"',
    });
  });

  it("is a 400 bad_query with its position", () => {
    const error = (() => {
      try {
        parseQuery("x=");
      } catch (caught) {
        return caught as QueryError;
      }
    })();
    expect(error).toMatchObject({ status: 400, code: "bad_query", details: { position: 2 } });
  });
});

describe("numberOfText", () => {
  it("reads an attribute's text as a query's value is read, whatever its first character", () => {
    const texts = ["250", "250.0", "2.5e2", "-1", "+1", ".5", " 7 ", "\u00a07", "\ufeff7", "0x10", "1e400", "Infinity"];
    const others = ["", "  ", "/api/7", "GET", "1.4.2", "7 apples", "_1", "(1)", "\u00e97"];
    for (const text of [...texts, ...others]) expect(numberOfText(text), JSON.stringify(text)).toBe(numberOf(text));
    expect(texts.map(numberOfText)).toEqual([250, 250, 250, -1, 1, 0.5, 7, 7, 7, 16, null, null]);
    for (const text of others) expect(numberOfText(text), JSON.stringify(text)).toBeNull();
  });
});

describe("queryRefusal", () => {
  it("names where a query is wrong by its characters as a reader counts them, an emoji one", () => {
    expect(queryRefusal("status=")).toMatch(/ \(at character 8 of "status="\)$/);
    expect(queryRefusal("🛒 status=")).toMatch(/ \(at character 10 of "🛒 status="\)$/);
    expect(queryRefusal("name=🛒")).toBeNull();
  });
});

describe("semantic-convention aliases", () => {
  it("reads older names for a current one, and the current one for an older one", () => {
    expect(aliasReadsOf("http.response.status_code").map((r) => r.key)).toEqual([
      "http.response.status_code",
      "http.status_code",
    ]);
    expect(aliasReadsOf("http.status_code").map((r) => r.key)).toEqual([
      "http.status_code",
      "http.response.status_code",
    ]);
    expect(aliasReadsOf("net.peer.name").map((r) => r.key)).toEqual(["net.peer.name", "server.address"]);
    expect(aliasReadsOf("server.address").map((r) => r.key)).toEqual([
      "server.address",
      "net.peer.name",
      "net.host.name",
    ]);
    expect(aliasReadsOf("app.order.id")).toEqual([{ key: "app.order.id" }]);
  });

  it("joins url.path and url.query for http.target, and cuts the query for url.path", () => {
    expect(aliasReadsOf("http.target")[1]).toEqual({ key: "url.path", adapt: "join-query" });
    expect(aliasReadsOf("url.path")[1]).toEqual({ key: "http.target", adapt: "cut-query" });
  });
});
