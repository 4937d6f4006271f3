import { describe, expect, it } from "vitest";
import {
  errorOccurrencesOf,
  fingerprintId,
  frameText,
  groupedByLibraryFrames,
  normalizeMessage,
  parseStackFrames,
  topFrames,
} from "../../src/domain/error-fingerprint.js";
import type { Attributes, Span } from "../../src/domain/span.js";
import { makeSpan } from "../store/span-fixtures.js";

function withException(span: Span, attributes: Attributes, time = span.endTimeUnixNano): Span {
  return { ...span, events: [{ name: "exception", timeUnixNano: time, attributes }] };
}

const JS_STACK = (id: string) => `TypeError: Cannot read properties of undefined (reading '${id}')
    at getUser (/srv/app/src/users.js:42:17)
    at async handler (/srv/app/src/routes/users.js:10:5)
    at Layer.handle (/srv/app/node_modules/express/lib/router/layer.js:95:5)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`;

const PYTHON_STACK = `Traceback (most recent call last):
  File "/usr/lib/python3.12/site-packages/flask/app.py", line 1473, in wsgi_app
    response = self.full_dispatch_request()
  File "/app/views.py", line 88, in checkout
    total = price_of(cart)
  File "/app/pricing.py", line 12, in price_of
    return PRICES[item]
KeyError: 'sku-123'`;

const JAVA_STACK = `java.lang.IllegalStateException: order 42 is closed
\tat com.acme.orders.OrderService.cancel(OrderService.java:57)
\tat com.acme.orders.OrderController.delete(OrderController.java:31)
\tat java.base/java.lang.Thread.run(Thread.java:833)
Caused by: java.sql.SQLException: lock timeout
\tat com.acme.db.Pool.get(Pool.java:12)`;

const GO_STACK = `goroutine 1 [running]:
main.(*Server).handle(0xc000010000, {0x5f2a40, 0xc00001c0e0})
\t/home/dev/shop/server.go:42 +0x1d
net/http.HandlerFunc.ServeHTTP(0x0?, {0x5f2a40?, 0xc00001c0e0?}, 0x0?)
\t/usr/local/go/src/net/http/server.go:2136 +0x29`;

const DOTNET_STACK = `System.InvalidOperationException: Sequence contains no elements
   at System.Linq.ThrowHelper.ThrowNoElementsException()
   at Shop.Api.Controllers.CartController.Get(Int32 id) in /src/Shop.Api/Controllers/CartController.cs:line 27
   at Shop.Api.Services.Cart.Load() in C:\\src\\Shop.Api\\Services\\Cart.cs:line 9`;

describe("normalizeMessage", () => {
  it("replaces numbers, ids, quoted values, emails and URLs", () => {
    expect(normalizeMessage("user 42 not found after 1500ms (attempt 3.5)")).toBe(
      "user <n> not found after <n>ms (attempt <n>)",
    );
    expect(normalizeMessage("order 0b5c2f9e-1d2a-4c3b-9e8f-7a6b5c4d3e2f vanished")).toBe("order <uuid> vanished");
    expect(normalizeMessage("trace 4bf92f3577b34da6a3ce929d0e0e4736 span 0x1f id 9a3e")).toBe(
      "trace <hex> span <hex> id <hex>",
    );
    expect(normalizeMessage(`no key "abc" or 'def' or \`ghi\``)).toBe(`no key "<value>" or '<value>' or \`<value>\``);
    // The keys of an object written in the message name its fields: kept, so the pattern stays readable.
    expect(normalizeMessage(`529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)).toBe(
      `<n> {"type":"<value>","error":{"type":"<value>","message":"<value>"}}`,
    );
    expect(normalizeMessage(`bad request: {'field': 'email', 'code': 17}`)).toBe(
      `bad request: {'field': '<value>', 'code': <n>}`,
    );
    expect(normalizeMessage(`cannot read "config.json": missing, "a", "b": c`)).toBe(
      `cannot read "<value>": missing, "<value>", "b": c`,
    );
    expect(normalizeMessage("mail to ann.lee+x@example.co.uk bounced")).toBe("mail to <email> bounced");
    expect(normalizeMessage("GET https://api.example.com/v2/users/17?x=1 failed")).toBe("GET <url> failed");
    expect(normalizeMessage("  two\n lines  ")).toBe("two lines");
  });

  it("keeps words that only look like numbers or hex", () => {
    expect(normalizeMessage("utf8 decode of user42 in base64 failed, deadbeef")).toBe(
      "utf8 decode of user42 in base64 failed, deadbeef",
    );
    expect(normalizeMessage("expected Float64Array or Uint8Array, got x86_64 sha256sum output")).toBe(
      "expected Float64Array or Uint8Array, got x86_64 sha256sum output",
    );
    for (const kept of [
      "missing header X-Amz-Content-Sha256",
      "Log4j2Appender failed on Windows10x64",
      "no Utf8ToUtf16Converter",
      "db-primary1 is down, db-replica2 too",
      "my-lib2x is missing",
    ]) {
      expect(normalizeMessage(kept)).toBe(kept);
    }
  });

  it("replaces prefixed ids (keeping the prefix), random ids and IP addresses, one pattern per kind of id", () => {
    for (const [a, b, pattern] of [
      ["Customer cus_NffrFeUfNV2Hib not found", "Customer cus_Q8zLmP3xT7vWkA not found", "Customer cus_<id> not found"],
      ["Request req_01HZX3K9QY8M2V failed", "Request req_01HZX3KAB7TT4N failed", "Request req_<id> failed"],
      ["Order ORD-7XK2P9 not found", "Order ORD-3MZ8QA not found", "Order ORD-<id> not found"],
      ["job 01HZX3K9QY8M2VDE4RWQ7NCF5A lost", "job 01J0ABCD2EFGH3JKMN4PQ5RSTV lost", "job <id> lost"],
      ["Order ORD-9999 failed", "Order ORD-10000 failed", "Order ORD-<n> failed"],
      ["connect ECONNREFUSED 10.0.0.1.", "connect ECONNREFUSED 10.0.0.2.", "connect ECONNREFUSED <ip>."],
      ["connect ECONNREFUSED 127.0.0.1:24499", "connect ECONNREFUSED 10.1.2.3:5432", "connect ECONNREFUSED <ip>:<n>"],
    ]) {
      expect(normalizeMessage(a as string)).toBe(pattern);
      expect(normalizeMessage(b as string)).toBe(pattern);
    }
    // A version number is not an address.
    expect(normalizeMessage("needs node 20.11.1")).toBe("needs node <n>.<n>");
  });
});

describe("parseStackFrames", () => {
  it("reads V8 frames innermost first, marking node_modules and node: frames as library", () => {
    expect(parseStackFrames(JS_STACK("id"))).toEqual([
      { file: "users.js", function: "getUser", library: false },
      { file: "users.js", function: "handler", library: false },
      { file: "layer.js", function: "Layer.handle", library: true },
      { file: "task_queues", function: "process.processTicksAndRejections", library: true },
    ]);
  });

  it("reads Python's most-recent-call-last traceback innermost first", () => {
    expect(parseStackFrames(PYTHON_STACK)).toEqual([
      { file: "pricing.py", function: "price_of", library: false },
      { file: "views.py", function: "checkout", library: false },
      { file: "app.py", function: "wsgi_app", library: true },
    ]);
  });

  it("reads Java frames up to the first Caused by", () => {
    expect(topFrames(JAVA_STACK)).toEqual([
      "OrderService.java:com.acme.orders.OrderService.cancel",
      "OrderController.java:com.acme.orders.OrderController.delete",
    ]);
  });

  it("reads Go's function and location line pairs", () => {
    expect(parseStackFrames(GO_STACK)).toEqual([
      { file: "server.go", function: "main.(*Server).handle", library: false },
      { file: "server.go", function: "net/http.HandlerFunc.ServeHTTP", library: true },
    ]);
  });

  it("reads .NET frames with and without a file", () => {
    expect(topFrames(DOTNET_STACK)).toEqual([
      "CartController.cs:Shop.Api.Controllers.CartController.Get",
      "Cart.cs:Shop.Api.Services.Cart.Load",
    ]);
    expect(parseStackFrames(DOTNET_STACK)[0]).toEqual({
      file: "",
      function: "System.Linq.ThrowHelper.ThrowNoElementsException",
      library: true,
    });
  });

  it("reads V8's Promise.all frame as the runtime's, whatever position failed, and an anonymous function's as its file", () => {
    const stack = (index: number) =>
      "Error: boom\n    at fakeQuery (/srv/app2.js:1:48)\n" +
      `    at async Promise.all (index ${index})\n` +
      "    at async handler (/srv/app2.js:2:31)\n    at async /srv/app2.js:3:22";
    expect(parseStackFrames(stack(0))[1]).toEqual({ file: "", function: "Promise.all", library: true });
    // The position in the Promise.all is not where the code failed: both group together.
    expect(topFrames(stack(0))).toEqual(["app2.js:fakeQuery", "app2.js:handler", "app2.js:"]);
    expect(topFrames(stack(3))).toEqual(topFrames(stack(0)));
    expect(frameText("app2.js:")).toBe("app2.js (anonymous)");
    expect(frameText("app2.js:fakeQuery")).toBe("app2.js:fakeQuery");
    expect(frameText(":Shop.Cart.Load")).toBe("Shop.Cart.Load");
  });

  it("falls back to library frames when the stack has no application frame, and says so", () => {
    expect(topFrames("Error: x\n    at a (node:fs:1:1)\n    at b (node:net:2:2)")).toEqual(["node:fs:a", "node:net:b"]);
    expect(topFrames("")).toEqual([]);
    const libraryOnly = [
      "Error: socket hang up\n    at TLSSocket.socketOnEnd (node:_http_client:524:23)\n    at TLSSocket.emit (node:events:529:35)",
      "Error: Command timed out\n    at Timeout._onTimeout (/srv/app/node_modules/ioredis/built/Command.js:192:33)\n    at listOnTimeout (node:internal/timers:573:17)",
      'Traceback (most recent call last):\n  File "/usr/lib/python3/site-packages/requests/api.py", line 59, in request\n    return session.request()\nrequests.exceptions.ConnectionError: refused',
    ];
    for (const stack of libraryOnly) expect([stack, groupedByLibraryFrames(stack)]).toEqual([stack, true]);
    expect(topFrames(libraryOnly[0] as string)).toEqual([
      "node:_http_client:TLSSocket.socketOnEnd",
      "node:events:TLSSocket.emit",
    ]);
    const withApp = `${libraryOnly[1]}\n    at getCart (/srv/app/src/cart.js:12:5)`;
    expect(groupedByLibraryFrames(withApp)).toBe(false);
    expect(topFrames(withApp)).toEqual(["cart.js:getCart"]);
    expect(groupedByLibraryFrames("")).toBe(false);
    expect(groupedByLibraryFrames("no frames here")).toBe(false);
  });
});

describe("errorOccurrencesOf: known groups", () => {
  const base = makeSpan({ trace: 1, span: 1, service: "api", name: "GET /users/:id", error: true });

  function fingerprintOf(span: Span): string {
    const [occurrence] = errorOccurrencesOf(span);
    if (occurrence === undefined) throw new Error("no occurrence");
    return occurrence.fingerprint;
  }

  it("groups the same TypeError with different values and line numbers, and keeps other problems apart", () => {
    const a = withException(base, {
      "exception.type": "TypeError",
      "exception.message": "Cannot read properties of undefined (reading 'id') for user 17",
      "exception.stacktrace": JS_STACK("id"),
    });
    const b = withException(base, {
      "exception.type": "TypeError",
      "exception.message": "Cannot read properties of undefined (reading 'name') for user 942",
      "exception.stacktrace": JS_STACK("name").replace(":42:17", ":44:9"),
    });
    const otherType = withException(base, {
      "exception.type": "RangeError",
      "exception.message": "Cannot read properties of undefined (reading 'id') for user 17",
      "exception.stacktrace": JS_STACK("id"),
    });
    const otherFrame = withException(base, {
      "exception.type": "TypeError",
      "exception.message": "Cannot read properties of undefined (reading 'id') for user 17",
      "exception.stacktrace": JS_STACK("id").replace("getUser", "getOrder"),
    });
    const otherService = withException(
      { ...base, service: "web" },
      {
        "exception.type": "TypeError",
        "exception.message": "Cannot read properties of undefined (reading 'id') for user 17",
        "exception.stacktrace": JS_STACK("id"),
      },
    );
    expect(fingerprintOf(a)).toBe(fingerprintOf(b));
    const all = new Set([a, otherType, otherFrame, otherService].map(fingerprintOf));
    expect(all.size).toBe(4);
    const [occurrence] = errorOccurrencesOf(b);
    expect(occurrence).toMatchObject({
      kind: "exception",
      type: "TypeError",
      pattern: "Cannot read properties of undefined (reading '<value>') for user <n>",
      frames: ["users.js:getUser", "users.js:handler"],
      message: "Cannot read properties of undefined (reading 'name') for user 942",
      traceId: base.traceId,
      spanId: base.spanId,
    });
  });

  it("counts every exception event, on failing and on succeeding spans", () => {
    const ok = { ...base, status: { code: "UNSET" as const } };
    const time = base.startTimeUnixNano + 5n;
    const retried: Span = {
      ...ok,
      events: [
        {
          name: "exception",
          timeUnixNano: time,
          attributes: { "exception.type": "Timeout", "exception.message": "1" },
        },
        { name: "log", timeUnixNano: time, attributes: {} },
        { name: "exception", timeUnixNano: 0n, attributes: { "exception.type": "Timeout", "exception.message": "2" } },
      ],
    };
    const found = errorOccurrencesOf(retried);
    expect(found.map((o) => [o.type, o.message, o.timeUnixNano])).toEqual([
      ["Timeout", "1", time],
      ["Timeout", "2", base.endTimeUnixNano],
    ]);
    expect(found[0]?.fingerprint).toBe(found[1]?.fingerprint);
    expect(errorOccurrencesOf(ok)).toEqual([]);
  });

  it("counts the TraceKit Node SDK's two tellings of one exception once, and a retried one again", () => {
    const time = base.startTimeUnixNano + 5n;
    const told = (stack: string, at: bigint) => ({
      name: "exception",
      timeUnixNano: at,
      attributes: { "exception.type": "Error", "exception.message": "boom", "exception.stacktrace": stack },
    });
    const sdkFormat =
      "handler at /srv/app/app.js:56\nLayer.handle at /srv/app/node_modules/express/lib/router/layer.js:95";
    const standard =
      "Error: boom\n    at handler (/srv/app/app.js:56:11)\n    at Layer.handle (/srv/app/node_modules/express/lib/router/layer.js:95:5)";
    const twice: Span = { ...base, events: [told(sdkFormat, time), told(standard, time + 20_000n)] };
    const found = errorOccurrencesOf(twice);
    expect(found).toHaveLength(1);
    expect(found[0]?.stacktrace).toBe(standard);
    expect(found[0]?.frames).toEqual(["app.js:handler"]);
    // The SDK's own format reads the same frames.
    expect(topFrames(sdkFormat)).toEqual(["app.js:handler"]);
    expect(topFrames("/srv/app/app.js:56")).toEqual(["app.js:"]);
    // Recorded again a second later (a retry), or with the very same stack: each counts.
    expect(
      errorOccurrencesOf({ ...base, events: [told(standard, time), told(standard, time + 1_000_000_000n)] }),
    ).toHaveLength(2);
    expect(errorOccurrencesOf({ ...base, events: [told(standard, time), told(standard, time + 10n)] })).toHaveLength(2);
  });

  it("groups failing spans without exceptions by status code, operation and message", () => {
    const http = (code: number, name = base.name, message?: string): Span => ({
      ...base,
      name,
      status: message === undefined ? { code: "ERROR" } : { code: "ERROR", message },
      attributes: { "http.response.status_code": code },
    });
    const [first] = errorOccurrencesOf(http(503));
    expect(first).toMatchObject({ kind: "status", type: "HTTP 503", message: "GET /users/:id failed", frames: [] });
    expect(fingerprintOf(http(503))).toBe(fingerprintOf(http(503)));
    expect(fingerprintOf(http(503))).not.toBe(fingerprintOf(http(500)));
    expect(fingerprintOf(http(503))).not.toBe(fingerprintOf(http(503, "POST /orders")));
    expect(fingerprintOf(http(503, base.name, "upstream 10.0.0.7 timed out"))).toBe(
      fingerprintOf(http(503, base.name, "upstream 10.0.0.9 timed out")),
    );
    expect(errorOccurrencesOf({ ...base, attributes: { "error.type": "timeout" } })[0]?.type).toBe("timeout");
    expect(errorOccurrencesOf({ ...base, attributes: { "rpc.grpc.status_code": 14 } })[0]?.type).toBe("gRPC 14");
    expect(errorOccurrencesOf(base)[0]).toMatchObject({ type: "error", message: "failed" });
  });

  it("names a span called by its HTTP method alone as the trace list does, so one failed request is one group", () => {
    // The TraceKit Node SDK: the HTTP instrumentation's span "GET" (path only) and Express's "GET /fail".
    const failing = (name: string, attributes: Attributes): Span => ({
      ...base,
      name,
      kind: "SERVER",
      status: { code: "ERROR" },
      attributes: { "http.status_code": 500, ...attributes },
    });
    const outer = errorOccurrencesOf(failing("GET", { "http.target": "/fail" }))[0];
    const inner = errorOccurrencesOf(failing("GET /fail", { "http.route": "/fail" }))[0];
    expect(outer).toMatchObject({ type: "HTTP 500", message: "GET /fail failed" });
    expect(inner?.message).toBe("GET /fail failed");
    expect(outer?.fingerprint).toBe(inner?.fingerprint);
    // A route names it before a path does; ids in a path group together.
    const routed = errorOccurrencesOf(failing("GET", { "http.route": "/users/:id", "http.target": "/users/7" }))[0];
    expect(routed?.message).toBe("GET /users/:id failed");
    expect(fingerprintOf(failing("GET", { "http.target": "/users/7" }))).toBe(
      fingerprintOf(failing("GET", { "http.target": "/users/8" })),
    );
  });

  it("reads exception attributes on a failing span itself", () => {
    const span = { ...base, attributes: { "exception.type": "ValueError", "exception.message": "bad 3" } };
    expect(errorOccurrencesOf(span)[0]).toMatchObject({ kind: "exception", type: "ValueError", pattern: "bad <n>" });
  });

  it("groups Python KeyErrors of different keys", () => {
    const of = (key: string) =>
      withException(base, {
        "exception.type": "KeyError",
        "exception.message": `'${key}'`,
        "exception.stacktrace": PYTHON_STACK.replace("sku-123", key),
      });
    expect(fingerprintOf(of("sku-1"))).toBe(fingerprintOf(of("sku-2")));
    expect(errorOccurrencesOf(of("sku-1"))[0]?.frames).toEqual(["pricing.py:price_of", "views.py:checkout"]);
  });
});

describe("fingerprintId", () => {
  it("is 16 hex digits, stable, and differs for different fingerprints", () => {
    expect(fingerprintId("a\u0000b")).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprintId("a\u0000b")).toBe(fingerprintId("a\u0000b"));
    expect(fingerprintId("a\u0000b")).not.toBe(fingerprintId("a\u0000c"));
  });
});
