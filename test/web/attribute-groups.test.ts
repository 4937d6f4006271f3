import { describe, expect, it } from "vitest";
import {
  attributesJsonText,
  attributeValueText,
  dbFacts,
  exceptionInfo,
  filterEntries,
  filterGroups,
  groupAttributes,
  groupOf,
  httpFacts,
  keyBreakPieces,
  messagingFacts,
  shownExceptionKeys,
  stackLines,
} from "../../web/src/features/trace-view/attribute-groups";

describe("groupAttributes", () => {
  it("files a database call's address and port with the database, not under HTTP", () => {
    const groups = groupAttributes({
      "db.system.name": "postgresql",
      "db.query.text": "UPDATE orders SET status = $1",
      "server.address": "localhost",
      "server.port": 5432,
      "network.peer.address": "127.0.0.1",
    });
    expect(groups.map((group) => [group.title, group.entries.map((entry) => entry.key)])).toEqual([
      ["Database", ["db.query.text", "db.system.name", "network.peer.address", "server.address", "server.port"]],
    ]);
    // A call that speaks no named protocol keeps them under HTTP, as before.
    expect(groupAttributes({ "server.address": "localhost" }).map((group) => group.title)).toEqual(["HTTP"]);
  });

  it("groups by semantic-convention namespace in a fixed order, keys sorted, empty groups left out", () => {
    const groups = groupAttributes({
      "user.id": "42",
      "url.path": "/cart",
      "http.request.method": "GET",
      "server.address": "shop.local",
      "client.address": "127.0.0.1",
      "user_agent.original": "curl/8",
      "network.protocol.version": "1.1",
      "db.system.name": "postgresql",
      "messaging.system": "rabbitmq",
      "gen_ai.request.model": "gpt-4o",
      "exception.type": "Error",
      "app.tenant": "acme",
    });
    expect(groups.map((group) => group.title)).toEqual([
      "HTTP",
      "Database",
      "Messaging",
      "GenAI",
      "Exception",
      "Other",
    ]);
    expect(groups[0]!.entries.map((entry) => entry.key)).toEqual([
      "client.address",
      "http.request.method",
      "network.protocol.version",
      "server.address",
      "url.path",
      "user_agent.original",
    ]);
    expect(groups[5]!.entries.map((entry) => entry.key)).toEqual(["app.tenant", "user.id"]);
  });

  it("does not treat look-alike prefixes as namespaces", () => {
    expect(groupOf("dbx.thing")).toBe("other");
    expect(groupOf("https.flag")).toBe("other");
    expect(groupOf("db.statement")).toBe("db");
    expect(groupAttributes({})).toEqual([]);
  });
});

describe("attributeValueText", () => {
  it("shows scalars as themselves and arrays/maps as indented JSON", () => {
    expect(attributeValueText("x")).toBe("x");
    expect(attributeValueText(3.5)).toBe("3.5");
    expect(attributeValueText(false)).toBe("false");
    expect(attributeValueText(null)).toBe("null");
    expect(attributeValueText(["a", 1])).toBe('[\n  "a",\n  1\n]');
    expect(attributeValueText({ k: { n: true } })).toBe('{\n  "k": {\n    "n": true\n  }\n}');
  });

  it("never interprets markup", () => {
    expect(attributeValueText("<img src=x onerror=alert(1)>")).toBe("<img src=x onerror=alert(1)>");
  });
});

describe("filtering", () => {
  const entries = [
    { key: "http.route", value: "/users/:id" },
    { key: "db.statement", value: "SELECT 1" },
    { key: "tags", value: ["Blue"] },
  ];

  it("keeps entries whose key or value contains the filter, case-insensitively", () => {
    expect(filterEntries(entries, "ROUTE").map((e) => e.key)).toEqual(["http.route"]);
    expect(filterEntries(entries, "select").map((e) => e.key)).toEqual(["db.statement"]);
    expect(filterEntries(entries, "blue").map((e) => e.key)).toEqual(["tags"]);
    expect(filterEntries(entries, "  ")).toHaveLength(3);
  });

  it("drops groups left empty", () => {
    const groups = groupAttributes({ "http.route": "/a", "db.statement": "SELECT 1" });
    expect(filterGroups(groups, "select").map((group) => group.id)).toEqual(["db"]);
  });
});

describe("httpFacts", () => {
  it("reads the current attribute names", () => {
    expect(
      httpFacts({
        "http.request.method": "POST",
        "http.response.status_code": 503,
        "http.route": "/pay",
        "url.full": "https://x/pay",
      }),
    ).toEqual({ method: "POST", statusCode: 503, route: "/pay", url: "https://x/pay" });
  });

  it("reads the older names", () => {
    expect(httpFacts({ "http.method": "GET", "http.status_code": "404", "http.url": "http://a/b" })).toEqual({
      method: "GET",
      statusCode: 404,
      url: "http://a/b",
    });
  });

  it("prefers the new name when both are present", () => {
    expect(httpFacts({ "http.request.method": "PUT", "http.method": "GET" })?.method).toBe("PUT");
  });

  it("builds a URL from its parts on server spans", () => {
    expect(
      httpFacts({
        "url.scheme": "http",
        "server.address": "api",
        "server.port": 8080,
        "url.path": "/a",
        "url.query": "b=1",
      })?.url,
    ).toBe("http://api:8080/a?b=1");
  });

  it("is null for spans without HTTP attributes", () => {
    expect(httpFacts({ "app.x": 1 })).toBeNull();
  });
});

describe("dbFacts", () => {
  it("reads new and old names", () => {
    expect(dbFacts({ "db.system.name": "postgresql", "db.query.text": "SELECT 1", "db.namespace": "shop" })).toEqual({
      system: "postgresql",
      namespace: "shop",
      statement: "SELECT 1",
    });
    expect(
      dbFacts({ "db.system": "mysql", "db.statement": "SELECT 2", "db.name": "x", "db.operation": "SELECT" }),
    ).toEqual({
      system: "mysql",
      namespace: "x",
      operation: "SELECT",
      statement: "SELECT 2",
    });
    expect(dbFacts({ "db.query.text": "new", "db.statement": "old" })?.statement).toBe("new");
    expect(dbFacts({})).toBeNull();
  });
});

describe("messagingFacts", () => {
  it("reads system, destination and operation", () => {
    expect(
      messagingFacts({
        "messaging.system": "kafka",
        "messaging.destination.name": "orders",
        "messaging.operation.type": "publish",
      }),
    ).toEqual({ system: "kafka", destination: "orders", operation: "publish" });
    expect(messagingFacts({ "http.route": "/" })).toBeNull();
  });
});

describe("exceptions", () => {
  it("reads type, message, stack trace and escaped", () => {
    expect(
      exceptionInfo({
        "exception.type": "ValueError",
        "exception.message": "bad",
        "exception.stacktrace": "Traceback…",
        "exception.escaped": "true",
      }),
    ).toEqual({ type: "ValueError", message: "bad", stacktrace: "Traceback…", escaped: true });
    expect(exceptionInfo({ "http.route": "/" })).toBeNull();
  });

  it("names the keys an exception block shows, so the event's other exception.* attributes stay in view", () => {
    const attributes = {
      "exception.type": "ValueError",
      "exception.message": "",
      "exception.escaped": "maybe",
      "exception.cause": "KeyError",
    };
    // An empty message and an escaped that is not true or false are not shown there: the rows keep them.
    expect(shownExceptionKeys(exceptionInfo(attributes)!)).toEqual(["exception.type"]);
    expect(
      shownExceptionKeys({ type: "ValueError", message: "bad", stacktrace: "Traceback…", escaped: false }),
    ).toEqual(["exception.type", "exception.message", "exception.stacktrace", "exception.escaped"]);
  });

  it("dims library frames, including the source line under a Python frame", () => {
    const lines = stackLines(
      [
        "Traceback (most recent call last):",
        '  File "/app/shop/views.py", line 10, in checkout',
        "    pay(order)",
        '  File "/usr/lib/python3.12/site-packages/requests/api.py", line 59, in request',
        "    return session.request(method=method, url=url, **kwargs)",
        "Error: boom\r\n    at pay (/app/src/pay.ts:3:9)",
        "    at Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)",
        "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
      ].join("\n"),
    );
    expect(lines.map((line) => line.library)).toEqual([false, false, false, true, true, false, false, true, true]);
    // How far in each line starts, so a wrapped one continues further in.
    expect(lines.map((line) => line.indent)).toEqual([0, 2, 4, 2, 4, 0, 4, 4, 4]);
    expect(stackLines("\tat x\n  \tat y").map((line) => line.indent)).toEqual([4, 4]);
  });
});

describe("keyBreakPieces", () => {
  it("cuts a key after each dot and underscore, and nowhere else", () => {
    expect(keyBreakPieces("http.response.status_code")).toEqual(["http.", "response.", "status_", "code"]);
    expect(keyBreakPieces("network.protocol.version")).toEqual(["network.", "protocol.", "version"]);
    expect(keyBreakPieces("userid")).toEqual(["userid"]);
  });

  it("keeps runs of separators and separators at either end with the piece before, and every character", () => {
    const keys = ["a..b__c", ".leading", "trailing_", "_", ""];
    expect(keyBreakPieces("a..b__c")).toEqual(["a..", "b__", "c"]);
    expect(keyBreakPieces(".leading")).toEqual([".", "leading"]);
    expect(keyBreakPieces("trailing_")).toEqual(["trailing_"]);
    for (const key of keys) expect(keyBreakPieces(key).join("")).toBe(key);
  });

  it("leaves a very long key whole, so a key of a million dots costs one text node", () => {
    const key = "a.".repeat(500_000);
    expect(keyBreakPieces(key)).toEqual([key]);
  });
});

describe("attributesJsonText", () => {
  it("is one indented JSON object, keys sorted, values as sent (lists and maps kept, a __proto__ key a key)", () => {
    const attributes = JSON.parse('{"z.list":[1,"a",null],"a.map":{"k":true},"__proto__":"x","m.num":1.5}') as Record<
      string,
      never
    >;
    const text = attributesJsonText(attributes);
    expect(JSON.parse(text)).toEqual(attributes);
    expect(Object.keys(JSON.parse(text) as object)).toEqual(["__proto__", "a.map", "m.num", "z.list"]);
    expect(text.split("\n")[1]).toBe('  "__proto__": "x",');
    expect(attributesJsonText({})).toBe("{}");
  });
});
