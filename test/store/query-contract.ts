import { expect, it } from "vitest";
import { QueryError } from "../../src/domain/query.js";
import { spanSearchText } from "../../src/domain/search.js";
import type { Span } from "../../src/domain/span.js";
import { compileTraceQuery } from "../../src/store/span-query.js";
import type { Store, TraceQuery } from "../../src/store/store.js";
import { makeSpan, ms, resourceFor, rootSpan, traceId, walkAll } from "./span-fixtures.js";

/**
 * The query language (`TraceQuery.q`) and autocomplete, part of the Store contract: `fresh` opens
 * an empty store of the implementation under test.
 */
export function queryContract(fresh: (maxSpans?: number) => Promise<Store>): void {
  async function queryFixture(): Promise<Store> {
    const store = await fresh();
    const orderSpan: Span = {
      ...makeSpan({
        trace: 1,
        span: 1,
        parent: null,
        name: "GET /orders/:id",
        service: "frontend",
        start: 10,
        end: 310,
      }),
      kind: "SERVER",
      attributes: {
        "http.request.method": "GET",
        "http.response.status_code": 200,
        "http.route": "/orders/:id",
        "url.path": "/orders/7",
        "url.query": "x=1",
        "app.order.id": 89581,
      },
    };
    const paymentSpan: Span = {
      ...makeSpan({ trace: 1, span: 2, parent: 1, name: "POST", service: "api", start: 20, end: 60, error: true }),
      kind: "CLIENT",
      attributes: { "http.method": "POST", "http.status_code": 503, "net.peer.name": "payments" },
      events: [{ name: "exception", timeUnixNano: ms(30), attributes: { "exception.type": "CardError" } }],
    };
    const consumerSpan: Span = {
      ...makeSpan({ trace: 2, span: 1, name: "orders process", service: "worker", start: 20, end: 25 }),
      kind: "CONSUMER",
      status: { code: "OK" },
      attributes: { "messaging.destination": "orders", "retry.count": "3", tags: ["blue", "green"] },
    };
    const missingSpan: Span = {
      ...makeSpan({ trace: 3, span: 1, name: "GET", service: "frontend", start: 30, end: 1530 }),
      kind: "SERVER",
      attributes: {
        "http.method": "GET",
        "http.status_code": "404",
        "http.target": "/missing?debug=1",
        "user.name": "Ada Lovelace",
      },
      resource: { ...resourceFor("frontend"), "deployment.environment": "dev" },
    };
    const cacheSpan = makeSpan({ trace: 4, span: 1, name: "cache lookup", service: "api", start: 40, end: 40.2 });
    store.insertSpans([orderSpan, paymentSpan, consumerSpan]);
    store.insertSpans([missingSpan, cacheSpan]);
    return store;
  }

  /** Trace numbers a query lists, newest first. */
  function found(store: Store, q: string, extra: Omit<TraceQuery, "limit" | "q"> = {}): number[] {
    return store.listTraces({ limit: 100, q, ...extra }).traces.map((t) => Number.parseInt(t.traceId, 16));
  }

  it("query: key=value and key!=value, on numbers and strings, span, resource and event attributes", async () => {
    const store = await queryFixture();
    expect(found(store, "app.order.id=89581")).toEqual([1]);
    expect(found(store, "app.order.id=89580")).toEqual([]);
    expect(found(store, "http.response.status_code=404")).toEqual([3]);
    expect(found(store, "tags=green")).toEqual([2]);
    expect(found(store, 'user.name="Ada Lovelace"')).toEqual([3]);
    expect(found(store, "user.name=ada")).toEqual([]);
    expect(found(store, "deployment.environment=dev")).toEqual([3]);
    expect(found(store, "exception.type=CardError")).toEqual([1]);
    // != needs the key: a span without it does not match (use -key=value for that).
    expect(found(store, "http.method!=GET")).toEqual([1]);
    expect(found(store, "-http.method=GET")).toEqual([4, 2, 1]);
  });

  it("query: a number equals however it is written; a trace searched before is searched again once it grows", async () => {
    const store = await queryFixture();
    expect(found(store, "http.status_code=503.0")).toEqual([1]);
    expect(found(store, "http.status_code=5.03e2")).toEqual([1]);
    expect(found(store, "app.order.id=7")).toEqual([]);
    store.insertSpans([makeSpan({ trace: 2, span: 9, parent: 1, start: 21, attributes: { "app.order.id": 7 } })]);
    expect(found(store, "app.order.id=7")).toEqual([2]);
    expect(found(store, "app.order.id=7 | deployment.environment=dev")).toEqual([3, 2]);
  });

  it("query: >, <, >=, <= on numbers and numeric strings", async () => {
    const store = await queryFixture();
    expect(found(store, "http.status_code>=500")).toEqual([1]);
    expect(found(store, "http.status_code<300")).toEqual([1]);
    expect(found(store, "http.status_code>100 http.status_code<=404")).toEqual([3, 1]);
    expect(found(store, "http.status_code>503")).toEqual([]);
    expect(found(store, "retry.count>2")).toEqual([2]);
    expect(found(store, "retry.count<3")).toEqual([]);
  });

  it("query: @key and a quoted key find the attribute of that name, even one named as a span field or Jaeger tag", async () => {
    const store = await fresh();
    store.insertSpans([
      makeSpan({ trace: 1, span: 1, start: 10, attributes: { status: 500, duration: 12, error: "timeout" } }),
      makeSpan({ trace: 2, span: 1, start: 20, error: true }),
    ]);
    expect(found(store, "@status:500")).toEqual([1]);
    expect(found(store, "@status=500")).toEqual([1]);
    expect(found(store, '"status"=500')).toEqual([1]);
    expect(found(store, "@duration>10")).toEqual([1]);
    expect(found(store, "@error=timeout")).toEqual([1]);
    // Without the marker, the span's own status and Jaeger's tag.
    expect(found(store, "status=error")).toEqual([2]);
    expect(found(store, "@status=error")).toEqual([]);
    expect(found(store, "error=true")).toEqual([2]);
    expect(found(store, "@error=true")).toEqual([]);
  });

  it("query: a dotted key also reads a path into map attributes", async () => {
    const store = await fresh();
    store.insertSpans([
      makeSpan({ trace: 1, span: 1, start: 10, attributes: { user: { id: 5, "org.name": "acme" } } }),
      makeSpan({ trace: 2, span: 1, start: 20, attributes: { "user.id": 6 } }),
      makeSpan({ trace: 3, span: 1, start: 30, attributes: { user: "ada" } }),
    ]);
    store.insertSpans([
      {
        ...makeSpan({ trace: 4, span: 1, start: 40 }),
        events: [{ name: "log", timeUnixNano: ms(41), attributes: { nested: { a: 1 } } }],
      },
    ]);
    expect(found(store, "user.id=5")).toEqual([1]);
    expect(found(store, "user.id>4")).toEqual([2, 1]);
    expect(found(store, "user.org.name=acme")).toEqual([1]);
    expect(found(store, "user.org.name~ACM")).toEqual([1]);
    expect(found(store, "nested.a=1")).toEqual([4]);
    expect(found(store, "user.name=ada")).toEqual([]);
  });

  it("query: a dotted key reads into a map attribute whose own key holds dots", async () => {
    const store = await fresh();
    const customer = { "app.customer": { tier: "gold" } };
    store.insertSpans([
      makeSpan({ trace: 1, span: 1, start: 10, attributes: customer }),
      makeSpan({ trace: 2, span: 1, start: 20, attributes: { "s.kv": { id: 5, org: { name: "acme" } } } }),
      // Both reads of `a.b.c` hold a value: either counts.
      makeSpan({ trace: 3, span: 1, start: 30, attributes: { "a.b": { c: 1 }, a: { b: { c: 2 } } } }),
      // The map in one span, the other term's attribute in another: no span satisfies both.
      makeSpan({ trace: 4, span: 1, start: 40, attributes: customer }),
      makeSpan({ trace: 4, span: 2, parent: 1, start: 41, attributes: { region: "eu" } }),
      { ...makeSpan({ trace: 5, span: 1, start: 50 }), resource: { "service.name": "api", "k8s.pod": { zone: "b" } } },
    ]);
    store.insertSpans([
      {
        ...makeSpan({ trace: 6, span: 1, start: 60 }),
        events: [{ name: "log", timeUnixNano: ms(61), attributes: { "log.ctx": { step: "pay" } } }],
      },
    ]);
    expect(found(store, "app.customer.tier=gold")).toEqual([4, 1]);
    expect(found(store, "app.customer.tier~gol")).toEqual([4, 1]);
    expect(found(store, "app.customer.tier!=silver")).toEqual([4, 1]);
    expect(found(store, "app.customer.tier!=gold")).toEqual([]);
    expect(found(store, "s.kv.id=5")).toEqual([2]);
    expect(found(store, "s.kv.id>=5")).toEqual([2]);
    expect(found(store, "s.kv.org.name=acme")).toEqual([2]);
    expect(found(store, "a.b.c=1")).toEqual([3]);
    expect(found(store, "a.b.c=2")).toEqual([3]);
    expect(found(store, "app.customer.tier=gold region=eu")).toEqual([]);
    expect(found(store, "app.customer.tier=gold | region=eu")).toEqual([4, 1]);
    expect(found(store, "k8s.pod.zone=b")).toEqual([5]);
    expect(found(store, "log.ctx.step=pay")).toEqual([6]);
  });

  it("query: numeric text equals a number in any form, and its own text exactly", async () => {
    const store = await fresh();
    store.insertSpans([
      makeSpan({ trace: 1, span: 1, start: 10, attributes: { numtext: "250" } }),
      makeSpan({ trace: 2, span: 1, start: 20, attributes: { numtext: "250.0" } }),
      makeSpan({ trace: 3, span: 1, start: 30, attributes: { numtext: "2.5e2" } }),
      makeSpan({ trace: 4, span: 1, start: 40, attributes: { numtext: 250 } }),
      makeSpan({ trace: 5, span: 1, start: 50, attributes: { numtext: "251" } }),
      makeSpan({ trace: 6, span: 1, start: 60, attributes: { numtext: "007", tags: ["x", "250.00"] } }),
      makeSpan({ trace: 7, span: 1, start: 70, attributes: { big: "9007199254740993" } }),
      makeSpan({ trace: 8, span: 1, start: 80, attributes: { big: "9007199254740992" } }),
    ]);
    expect(found(store, "numtext=250.0")).toEqual([4, 3, 2, 1]);
    // Asked again once each trace's filter is built, so a store's cheaper checks of its rows answer too.
    expect(found(store, "numtext=250")).toEqual([4, 3, 2, 1]);
    expect(found(store, "numtext=2.5e2")).toEqual([4, 3, 2, 1]);
    expect(found(store, "numtext!=250")).toEqual([6, 5]);
    expect(found(store, "numtext=7")).toEqual([6]);
    expect(found(store, 'numtext="007"')).toEqual([6]);
    expect(found(store, "tags=250")).toEqual([6]);
    // Integers past 2^53 compare by their digits.
    expect(found(store, "big=9007199254740993")).toEqual([7]);
    expect(found(store, "big=9007199254740993.0")).toEqual([7]);
    expect(found(store, "big=9007199254740992")).toEqual([8]);
    expect(found(store, "big!=9007199254740992")).toEqual([7]);
  });

  it("query: integers past 2^53, kept as their digits, compare exactly", async () => {
    const store = await fresh();
    store.insertSpans([
      makeSpan({ trace: 1, span: 1, start: 10, attributes: { big: "9007199254740993" } }),
      makeSpan({ trace: 2, span: 1, start: 20, attributes: { big: 2 ** 64 } }),
    ]);
    expect(found(store, "big>9007199254740992")).toEqual([2, 1]);
    expect(found(store, "big<=9007199254740992")).toEqual([]);
    expect(found(store, "big<9007199254740994")).toEqual([1]);
    expect(found(store, "big=18446744073709551616")).toEqual([2]);
    // A double stands for every number that rounds to it: the page shows 2^64 as 18446744073709552000,
    // and that text, copied into the search, finds it.
    expect(found(store, "big=18446744073709552000")).toEqual([2]);
    expect(found(store, "big>=18446744073709551617")).toEqual([2]);
    expect(found(store, "big>18446744073709552000")).toEqual([]);
  });

  it("query: a double past 2^53 is found by the value the page shows", async () => {
    const store = await fresh();
    // 12345678901234567890 sent as a double is 12345678901234567168, which JSON writes …7000.
    const x = Number("12345678901234567890");
    store.insertSpans([makeSpan({ trace: 1, span: 1, start: 10, attributes: { x } })]);
    expect(String(x)).toBe("12345678901234567000");
    expect(found(store, "x=12345678901234567000")).toEqual([1]);
    expect(found(store, "x<=12345678901234567000")).toEqual([1]);
    expect(found(store, "x>12345678901234567000")).toEqual([]);
  });

  it("query: a bare key means the attribute exists; quoted, it is text only", async () => {
    const store = await queryFixture();
    expect(found(store, "http.route")).toEqual([1]);
    expect(found(store, '"http.route"')).toEqual([]);
    expect(found(store, "user.name")).toEqual([3]);
    expect(found(store, "-http.route")).toEqual([4, 3, 2, 1]);
    expect(found(store, "-http.route kind=server")).toEqual([3]);
  });

  it("query: ~ contains, ignoring case", async () => {
    const store = await queryFixture();
    expect(found(store, "user.name~lovelace")).toEqual([3]);
    expect(found(store, 'user.name~"ADA L"')).toEqual([3]);
    expect(found(store, "service~front")).toEqual([3, 1]);
    expect(found(store, "name~CACHE")).toEqual([4]);
    expect(found(store, "http.route~orders")).toEqual([1]);
  });

  it("query: old and new semantic-convention names find each other", async () => {
    const store = await queryFixture();
    expect(found(store, "http.response.status_code>=500")).toEqual([1]);
    expect(found(store, "http.request.method=POST")).toEqual([1]);
    expect(found(store, "http.method=GET")).toEqual([3, 1]);
    expect(found(store, "server.address=payments")).toEqual([1]);
    expect(found(store, "messaging.destination.name=orders")).toEqual([2]);
    expect(found(store, "http.target=/orders/7?x=1")).toEqual([1]);
    expect(found(store, "http.target=/missing?debug=1")).toEqual([3]);
    expect(found(store, "url.path=/missing")).toEqual([3]);
    expect(found(store, "http.status_code")).toEqual([3, 1]);
  });

  it("query: service, name, status and kind", async () => {
    const store = await queryFixture();
    expect(found(store, "service=worker")).toEqual([2]);
    expect(found(store, "service=Worker")).toEqual([]);
    expect(found(store, "service!=frontend")).toEqual([4, 2, 1]);
    expect(found(store, 'name="cache lookup"')).toEqual([4]);
    expect(found(store, "status=error")).toEqual([1]);
    expect(found(store, "status=ok")).toEqual([2]);
    expect(found(store, "status=unset")).toEqual([4, 3, 1]);
    expect(found(store, "status!=unset")).toEqual([2, 1]);
    expect(found(store, "kind=consumer")).toEqual([2]);
    expect(found(store, "kind=CLIENT")).toEqual([1]);
    expect(found(store, "kind=server")).toEqual([3, 1]);
    expect(found(store, "kind=producer")).toEqual([]);
  });

  it("query: Jaeger's tags error=true, otel.status_code and span.kind read the span's status and kind", async () => {
    const store = await queryFixture();
    expect(found(store, "error=true")).toEqual([1]);
    expect(found(store, "error=TRUE service=api")).toEqual([1]);
    expect(found(store, "error!=false")).toEqual([1]);
    expect(found(store, "-error=true")).toEqual([4, 3, 2, 1]);
    expect(found(store, "error=true service=frontend")).toEqual([]);
    expect(found(store, "otel.status_code=ERROR")).toEqual([1]);
    expect(found(store, "otel.status_code=OK")).toEqual([2]);
    expect(found(store, "otel.status_code!=unset")).toEqual([2, 1]);
    expect(found(store, "span.kind=server")).toEqual([3, 1]);
    expect(found(store, "span.kind=CONSUMER")).toEqual([2]);
    expect(found(store, "span.kind!=server service=frontend")).toEqual([]);
    // Not a status or kind: an attribute as any other.
    expect(found(store, "span.kind=web")).toEqual([]);
    expect(found(store, "error=yes")).toEqual([]);
    // A span that sends such an attribute itself matches by it too.
    store.insertSpans([
      makeSpan({ trace: 5, span: 1, name: "legacy", service: "zipkin-app", start: 50, attributes: { error: true } }),
      makeSpan({
        trace: 6,
        span: 1,
        name: "tagged",
        service: "zipkin-app",
        start: 60,
        attributes: { "span.kind": "client" },
      }),
    ]);
    expect(found(store, "error=true")).toEqual([5, 1]);
    expect(found(store, "span.kind=client")).toEqual([6, 1]);
    // The negated forms are the "=" form negated: another value of such an attribute does not make a
    // failed span count as "not an error", nor a SERVER span as "not a server".
    store.insertSpans([
      {
        ...makeSpan({ trace: 7, span: 1, name: "dial", service: "db-client", start: 70, error: true }),
        kind: "SERVER",
        attributes: { error: "connection refused", "span.kind": "client" },
      },
    ]);
    expect(found(store, "service=db-client error!=true")).toEqual([]);
    expect(found(store, "service=db-client error=false")).toEqual([]);
    expect(found(store, "service=db-client error!=false")).toEqual([7]);
    expect(found(store, "service=db-client otel.status_code!=error")).toEqual([]);
    expect(found(store, "service=db-client span.kind!=server")).toEqual([]);
    expect(found(store, "service=db-client span.kind!=consumer")).toEqual([7]);
    // ... while a span without the attribute matches a negated form by its status or kind alone.
    expect(found(store, "service=zipkin-app error!=true")).toEqual([6]);
    expect(found(store, "service=zipkin-app error=false")).toEqual([6]);
    expect(found(store, "service=zipkin-app span.kind!=client")).toEqual([5]);
  });

  it("query: otel.scope.name and otel.scope.version read the span's instrumentation scope (its tracer)", async () => {
    const store = await fresh();
    const scoped = (trace: number, span: number, name: string, version: string, kind: Span["kind"]): Span => ({
      ...makeSpan({ trace, span, parent: span === 1 ? null : 1, name: `span ${trace}.${span}`, service: "shop" }),
      kind,
      scope: { name, version },
    });
    store.insertSpans([
      scoped(1, 1, "@opentelemetry/instrumentation-http", "0.52.0", "SERVER"),
      scoped(1, 2, "@opentelemetry/instrumentation-pg", "0.41.0", "CLIENT"),
      scoped(2, 1, "@opentelemetry/instrumentation-http", "0.52.0", "SERVER"),
      // An INTERNAL span of a scope that is no TraceKit SDK's: the call rule never reads its scope.
      scoped(3, 1, "checkout-jobs", "1.0", "INTERNAL"),
      { ...makeSpan({ trace: 4, span: 1, service: "zipkin-app" }), scope: { name: "", version: "" } },
      // A span converted from Zipkin or Jaeger may carry its tracer as an attribute: it matches too.
      {
        ...makeSpan({ trace: 5, span: 1, service: "zipkin-app", attributes: { "otel.library.name": "legacy-lib" } }),
        scope: { name: "", version: "" },
      },
    ]);
    // A query before any scope term: the traces' filters are built from their attributes alone.
    expect(found(store, "app.order.id=1")).toEqual([]);
    expect(found(store, "otel.scope.name=@opentelemetry/instrumentation-pg")).toEqual([1]);
    expect(found(store, "otel.scope.name=@opentelemetry/instrumentation-http")).toEqual([2, 1]);
    expect(found(store, "otel.scope.name=checkout-jobs")).toEqual([3]);
    expect(found(store, "OTEL.SCOPE.NAME~INSTRUMENTATION-PG")).toEqual([1]);
    expect(found(store, "otel.scope.version=0.41.0")).toEqual([1]);
    expect(found(store, 'otel.scope.version="1.0"')).toEqual([3]);
    expect(found(store, "otel.library.name=checkout-jobs")).toEqual([3]);
    expect(found(store, "otel.library.name=legacy-lib")).toEqual([5]);
    expect(found(store, "otel.scope.name=legacy-lib")).toEqual([]);
    // Every span has a scope: `!=` is the "=" form negated (an empty name is a name).
    expect(found(store, "otel.scope.name!=@opentelemetry/instrumentation-http")).toEqual([5, 4, 3, 1]);
    expect(found(store, 'otel.scope.name=""')).toEqual([5, 4]);
    // On the same span as the other terms, and after the traces' filters were built by other queries.
    expect(found(store, "otel.scope.name~pg kind=server")).toEqual([]);
    expect(found(store, "otel.scope.name~pg kind=client")).toEqual([1]);
    expect(found(store, "otel.scope.name=checkout-jobs | otel.scope.version=0.41.0")).toEqual([3, 1]);
    // Autocomplete offers the scopes' names (an empty one is none), most frequent first.
    expect(store.attributeValues("otel.scope.name", 10).values).toEqual([
      { value: "@opentelemetry/instrumentation-http", count: 2 },
      { value: "@opentelemetry/instrumentation-pg", count: 1 },
      { value: "checkout-jobs", count: 1 },
    ]);
    expect(store.attributeValues("otel.library.name", 10).values).toContainEqual({ value: "legacy-lib", count: 1 });
    expect(store.attributeValues("otel.scope.version", 1).values).toEqual([{ value: "0.52.0", count: 2 }]);
  });

  it("query: operation= is the span's operation as the Services page names it, however its name was made", async () => {
    const store = await fresh();
    const span = (
      trace: number,
      kind: Span["kind"],
      name: string,
      attributes: Span["attributes"],
      service = "shop",
    ) => ({
      ...makeSpan({ trace, span: 1, parent: null, name, service, start: trace, end: trace + 1 }),
      kind,
      attributes,
    });
    store.insertSpans([
      span(1, "SERVER", "GET", { "http.request.method": "GET", "url.path": "/items/5" }),
      span(2, "SERVER", "GET", { "http.request.method": "GET", "url.path": "/items/5/reviews" }),
      span(3, "SERVER", "GET", { "http.request.method": "GET", "url.path": "/items" }),
      // Named by method and path (ids templated): the same route as trace 1's.
      span(4, "SERVER", "GET /items/9", {}),
      span(5, "CLIENT", "GET", { "http.request.method": "GET", "url.full": "http://payments.internal/items/5" }),
      span(6, "INTERNAL", "render items", {}, "web"),
    ]);
    // A search that needs the traces' filters first: new traces get theirs as they arrive.
    expect(found(store, "http.request.method=GET")).toEqual([5, 3, 2, 1]);
    store.insertSpans([span(7, "SERVER", "GET", { "http.request.method": "GET", "url.path": "/items/12" })]);
    expect(found(store, 'operation="GET /items/:id"')).toEqual([7, 4, 1]);
    expect(found(store, 'operation="GET /items/:id/reviews"')).toEqual([2]);
    expect(found(store, 'operation="GET /items"')).toEqual([3]);
    expect(found(store, 'operation="get /items"')).toEqual([]);
    expect(found(store, 'operation="GET payments"')).toEqual([5]);
    expect(found(store, 'operation="render items"')).toEqual([6]);
    expect(found(store, 'operation!="render items"')).toEqual([7, 5, 4, 3, 2, 1]);
    // Spans named GET whose operations are named by their route or peer.
    expect(found(store, "operation=GET")).toEqual([]);
    expect(found(store, "operation~ITEMS/:ID")).toEqual([7, 4, 2, 1]);
    expect(found(store, 'kind=server operation!="GET /items/:id"')).toEqual([3, 2]);
    expect(found(store, 'operation="GET /items" | operation="render items"')).toEqual([6, 3]);
    expect(found(store, "service=shop -operation~items")).toEqual([5]);
    expect(found(store, 'operation="GET /items/:id" url.path~reviews')).toEqual([]);
    expect(store.attributeValues("operation", 2).values).toEqual([
      { value: "GET /items/:id", count: 3 },
      { value: "GET /items", count: 1 },
    ]);
  });

  it("query: span duration in any unit", async () => {
    const store = await queryFixture();
    expect(found(store, "duration>250ms")).toEqual([3, 1]);
    expect(found(store, "duration>=300ms")).toEqual([3, 1]);
    expect(found(store, "duration>300ms")).toEqual([3]);
    expect(found(store, "duration<1ms")).toEqual([4]);
    expect(found(store, "duration<=200us")).toEqual([4]);
    expect(found(store, "duration>1s")).toEqual([3]);
    expect(found(store, "duration=5ms")).toEqual([2]);
    expect(found(store, "duration>0.5m")).toEqual([]);
    expect(found(store, "duration>40")).toEqual([3, 1]);
  });

  it("query: AND holds on one span; OR, parentheses and negation", async () => {
    const store = await queryFixture();
    expect(found(store, "service=api status=error")).toEqual([1]);
    // The error is the api span's, not the frontend span's.
    expect(found(store, "service=frontend status=error")).toEqual([]);
    expect(found(store, "service=frontend and kind=server duration>1s")).toEqual([3]);
    expect(found(store, "service=worker | kind=internal")).toEqual([4, 2]);
    expect(found(store, "service=worker or duration>1s")).toEqual([3, 2]);
    expect(found(store, "(service=worker | service=api) -status=error")).toEqual([4, 2]);
    expect(found(store, "not (service=frontend | service=api)")).toEqual([2]);
  });

  it("query: bare text as before, combined with terms and with the other filters", async () => {
    const store = await queryFixture();
    expect(found(store, "lovelace")).toEqual([3]);
    expect(found(store, "LOVELACE service=frontend")).toEqual([3]);
    expect(found(store, "lovelace service=worker")).toEqual([]);
    expect(found(store, "cardError")).toEqual([1]);
    expect(found(store, "failed")).toEqual([1]);
    expect(found(store, "status=error", { service: "api" })).toEqual([1]);
    expect(found(store, "kind=server", { minDurationMs: 1000 })).toEqual([3]);
    expect(found(store, "kind=server", { errorsOnly: true })).toEqual([1]);
  });

  it("query: a query that does not parse is a QueryError, not an empty page", async () => {
    const store = await queryFixture();
    expect(() => store.listTraces({ limit: 10, q: "status=nope" })).toThrow(QueryError);
    expect(() => store.listTraces({ limit: 10, q: "(a" })).toThrow(QueryError);
  });

  it("query: pages with a cursor through every match exactly once", async () => {
    const store = await fresh();
    const spans: Span[] = [];
    for (let i = 1; i <= 30; i++) {
      spans.push(rootSpan(i, { start: Math.floor(i / 3), attributes: { "app.tenant": i % 2 === 0 ? "even" : "odd" } }));
    }
    store.insertSpans(spans);
    const all = store.listTraces({ limit: 100, q: "app.tenant=even" }).traces.map((t) => t.traceId);
    expect(all).toHaveLength(15);
    const walked: string[] = [];
    let cursor: string | undefined;
    do {
      const page = store.listTraces({ limit: 4, q: "app.tenant=even", ...(cursor === undefined ? {} : { cursor }) });
      walked.push(...page.traces.map((t) => t.traceId));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(walked).toEqual(all);
    expect(all).not.toContain(traceId(1));
  });

  it("query: among thousands of traces, finds what a scan of every trace finds, before and after traces change", async () => {
    // Enough traces for many blocks of the list order (see trace-blocks.ts), filed out of start
    // order, then queried again after an old trace gains a span and an old-starting trace arrives.
    const store = await fresh();
    const OLD_TRACE = 74; // starts at 1006 of 0-2499
    const services = ["api", "db", "web", "queue"];
    const traceSpan = (i: number, extra: Partial<Span> = {}, span = 1): Span => {
      const start = (i * 7919) % 2500;
      // Requests to /items/:id and /items/:id/reviews, named by method alone or by method and path.
      const path = `/items/${i}${i % 2 === 0 ? "/reviews" : ""}`;
      const request: Partial<Span> =
        i % 3 === 0
          ? { kind: "SERVER", name: "GET", attributes: { "url.path": path, "app.n": i % 50 } }
          : i % 3 === 1
            ? { kind: "SERVER", name: `GET ${path}` }
            : {};
      return {
        ...makeSpan({
          trace: i,
          span,
          parent: span === 1 ? null : 1,
          service: services[i % 4] as string,
          start,
          end: start + (i % 211 === 0 ? 900 : 1 + (i % 5)),
          error: i % 97 === 0,
          attributes: { "app.tenant": `t${i % 7}`, "app.n": i % 50, ...(i === 17 ? { "app.order.id": 4242 } : {}) },
        }),
        ...request,
        ...extra,
      };
    };
    for (let first = 1; first <= 2500; first += 100) {
      store.insertSpans(Array.from({ length: 100 }, (_, k) => traceSpan(first + k)));
    }
    const queries = [
      "app.order.id=4242",
      "app.tenant=t3 app.n=12",
      "duration>500ms",
      "service=queue status=error",
      "app.n=49 | app.order.id=4242",
      "-app.tenant=t1 app.n=3",
      "app.order.id=4242 duration>100ms",
      "late.key=yes",
      "late.key",
      'operation="GET /items/:id"',
      'operation="GET /items/:id/reviews" service=api',
      "operation~REVIEWS app.n=12",
      'operation!="GET /items/:id" kind=server',
      'operation="span 2" | operation="nothing"',
    ];
    const pagesOf = (query: Omit<TraceQuery, "cursor">) => walkAll(store, query).flat();
    const check = () => {
      for (const sort of [{}, { sort: "duration" as const }]) {
        const everyTrace = pagesOf({ limit: 5000, ...sort });
        for (const q of queries) {
          const filter = compileTraceQuery<Span>(q, spanSearchText);
          const scanned = everyTrace.filter((id) => store.getTrace(id)?.some((span) => filter?.matchesSpan(span)));
          expect(pagesOf({ limit: 7, q, ...sort }), `${q} ${JSON.stringify(sort)}`).toEqual(scanned);
        }
      }
    };
    check();
    // A second span of a trace in an old block (its start unchanged), two seconds long.
    const lateSpan = traceSpan(OLD_TRACE, { attributes: { "app.order.id": 4242, "late.key": "yes" } }, 2);
    store.insertSpans([{ ...lateSpan, endTimeUnixNano: lateSpan.startTimeUnixNano + 2_000_000_000n }]);
    // A new trace filed among old ones (it starts at 419).
    store.insertSpans([traceSpan(2501, { attributes: { "app.order.id": 4242, "late.key": "yes" } })]);
    expect(pagesOf({ limit: 100, q: "late.key=yes" })).toEqual([traceId(OLD_TRACE), traceId(2501)]);
    check();
  }, 120_000);

  it("autocomplete: attribute keys of span, resource and event attributes with counts", async () => {
    const store = await queryFixture();
    const { keys, sampledSpans } = store.attributeKeys();
    expect(sampledSpans).toBe(5);
    expect(keys[0]).toEqual({ key: "service.name", source: "resource", count: 5 });
    expect(keys).toContainEqual({ key: "http.method", source: "span", count: 2 });
    expect(keys).toContainEqual({ key: "http.route", source: "span", count: 1 });
    expect(keys).toContainEqual({ key: "deployment.environment", source: "resource", count: 1 });
    expect(keys).toContainEqual({ key: "exception.type", source: "event", count: 1 });
    const counts = keys.map((k) => k.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it("autocomplete: the most frequent values of a key, its aliases, or a span field", async () => {
    const store = await queryFixture();
    expect(store.attributeValues("service", 10).values).toEqual([
      { value: "api", count: 2 },
      { value: "frontend", count: 2 },
      { value: "worker", count: 1 },
    ]);
    expect(store.attributeValues("http.status_code", 10).values).toEqual([
      { value: "200", count: 1 },
      { value: "404", count: 1 },
      { value: "503", count: 1 },
    ]);
    expect(store.attributeValues("status", 10).values).toEqual([
      { value: "unset", count: 3 },
      { value: "error", count: 1 },
      { value: "ok", count: 1 },
    ]);
    expect(store.attributeValues("kind", 1).values).toEqual([{ value: "server", count: 2 }]);
    expect(store.attributeValues("tags", 10).values).toEqual([
      { value: "blue", count: 1 },
      { value: "green", count: 1 },
    ]);
    expect(store.attributeValues("no.such.key", 10)).toEqual({ key: "no.such.key", values: [], sampledSpans: 5 });
  });

  it("autocomplete: counts no span of a trace retention evicted", async () => {
    const store = await fresh(3);
    store.insertSpans([makeSpan({ trace: 1, span: 1, parent: null, attributes: { "gone.key": "x" } })]);
    store.getTrace(traceId(1));
    store.insertSpans([1, 2, 3].map((span) => makeSpan({ trace: 2, span, parent: span === 1 ? null : 1 })));
    expect(store.listTraces({ limit: 10 }).traces.map((t) => t.traceId)).toEqual([traceId(2)]);
    const { keys, sampledSpans } = store.attributeKeys();
    expect(keys.map((k) => k.key)).not.toContain("gone.key");
    expect(sampledSpans).toBe(3);
    expect(store.attributeValues("gone.key", 10).values).toEqual([]);
  });

  it("autocomplete: empty after clear", async () => {
    const store = await queryFixture();
    store.clear();
    expect(store.attributeKeys()).toEqual({ keys: [], sampledSpans: 0 });
    expect(store.attributeValues("service", 10).values).toEqual([]);
  });
}
