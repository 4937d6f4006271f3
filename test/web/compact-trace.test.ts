import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompactTraceResponse, TraceResponse } from "../../src/protocol.js";
import {
  CompactTraceError,
  expandCompactTrace,
  readCompactTrace,
  spanNumbersOf,
} from "../../web/src/api/compact-trace";
import { buildWaterfallTree, type WaterfallTree } from "../../web/src/features/trace-view/waterfall-model";
import { startTestApp, type TestApp, tempDir } from "../helpers/app.js";
import { getSized } from "../helpers/http.js";
import { sendTraceOfManyResources } from "../helpers/otel-resources.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

/** `bytes` as a body that arrives `size` bytes at a time. */
function streamOf(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });

/**
 * Spans with everything the compact form writes apart from its places: events, links, a status
 * message, trace state and flags, dropped counts, a GenAI call's cost, a parent not in the trace, an
 * id twice, times far from the others (1 ns, and past 2^63; left out with `far: false`) and an end
 * before its start.
 */
async function sendUnusualTrace(base: string, { far = true } = {}): Promise<string> {
  const traceId = newTraceId();
  const [root, child, twice, orphan, llm, early, late, backwards] = Array.from({ length: 8 }, newSpanId);
  const t = 1_765_000_000_123_456_789n;
  const span = (spanId: string | undefined, name: string, start: bigint, end: bigint, more: object = {}) => ({
    traceId,
    spanId,
    name,
    kind: 2,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(end),
    ...more,
  });
  const response = await postJson(base, {
    resourceSpans: [
      {
        resource: { attributes: [str("service.name", "shop"), int("process.pid", 7)] },
        scopeSpans: [
          {
            scope: { name: "shop-http", version: "1.0.0" },
            spans: [
              span(root, "GET /cart", t, t + 9_000_000n, { attributes: [str("http.route", "/cart")] }),
              span(child, "charge", t + 1_000n, t + 2_500_001n, {
                parentSpanId: root,
                traceState: "vendor=1",
                flags: 257,
                status: { code: 2, message: "card declined" },
                events: [
                  {
                    name: "exception",
                    timeUnixNano: String(t + 2_000n),
                    attributes: [str("exception.type", "CardError")],
                    droppedAttributesCount: 2,
                  },
                ],
                links: [{ traceId: newTraceId(), spanId: newSpanId(), traceState: "a=b", attributes: [] }],
                droppedAttributesCount: 3,
                droppedEventsCount: 1,
                droppedLinksCount: 4,
              }),
              span(twice, "first of an id", t + 10n, t + 20n, { parentSpanId: root }),
              span(twice, "second of an id", t + 30n, t + 40n, { parentSpanId: twice }),
              span(orphan, "orphan", t + 50n, t + 60n, { parentSpanId: newSpanId(), status: { code: 1 } }),
              ...(far
                ? [
                    span(early, "at 1 ns", 1n, 2n, { parentSpanId: root }),
                    span(late, "past 2^63", 2n ** 63n + 5n, 2n ** 64n - 1n, { parentSpanId: root }),
                  ]
                : []),
              span(backwards, "ends before it starts", t + 500n, t + 100n, { parentSpanId: twice }),
            ],
          },
        ],
      },
      {
        resource: { attributes: [str("service.name", "llm-gateway")] },
        scopeSpans: [
          {
            scope: { name: "genai" },
            spans: [
              span(llm, "chat gpt-4o", t + 3_000_000n, t + 8_000_000n, {
                parentSpanId: child,
                kind: 3,
                attributes: [
                  str("gen_ai.request.model", "gpt-4o"),
                  int("gen_ai.usage.input_tokens", 1200),
                  int("gen_ai.usage.output_tokens", 300),
                ],
              }),
            ],
          },
        ],
      },
    ],
  });
  expect(response.status).toBe(200);
  return traceId;
}

/** All a waterfall tree says, its nodes by place rather than by reference. */
function treeFacts(tree: WaterfallTree) {
  const place = (node: { index: number } | null | undefined) => node?.index ?? null;
  return {
    nodes: tree.nodes.map((node) => ({
      ...node,
      span: node.span.spanId + node.span.name,
      parent: place(node.parent),
      children: node.children.map(place),
    })),
    byId: [...tree.byId].map(([id, node]) => [id, node.index]),
    roots: tree.roots.map(place),
    root: place(tree.root),
    startNanos: tree.startNanos,
    endNanos: tree.endNanos,
    totalMs: tree.totalMs,
    services: tree.services,
    errorCount: tree.errorCount,
  };
}

/** A compact answer by hand: spans as [id, parent, name, start, length], all of service "shop". */
function compactAnswer(startTimeUnixNano: string, spans: [string, number | string | null, string, number, number][]) {
  const names = [...new Set(spans.map((span) => span[2]))];
  return {
    traceId: "ab".repeat(16),
    name: spans[0]![2],
    form: "compact1",
    startTimeUnixNano,
    strings: ["shop", ...names],
    resources: [{ "service.name": "shop" }],
    scopes: [{ name: "http" }],
    spans: spans.map(([id, parent, name, start, length]) => [
      id,
      parent,
      names.indexOf(name) + 1,
      2,
      0,
      start,
      length,
      0,
      {},
      0,
      0,
    ]),
    snapshots: [],
  } as unknown as CompactTraceResponse;
}

describe("the waterfall of a compact answer", () => {
  const sameTreeAsFromStrings = (compact: CompactTraceResponse) => {
    const { spans } = expandCompactTrace(compact);
    expect(spanNumbersOf(spans)).toBeDefined();
    // A copy of the spans has no numbers: the tree reads their decimal strings.
    expect(spanNumbersOf([...spans])).toBeUndefined();
    const tree = buildWaterfallTree(spans);
    // The same array with a span taken off has none either: its numbers no longer line up.
    const shortened = expandCompactTrace(compact).spans;
    shortened.pop();
    expect(spanNumbersOf(shortened)).toBeUndefined();
    expect(treeFacts(tree)).toStrictEqual(treeFacts(buildWaterfallTree([...spans])));
    return tree;
  };

  it("is the one the spans' decimal times give, with cycles, twice-sent ids and times across 10^15 ns", () => {
    const tree = sameTreeAsFromStrings(
      compactAnswer("1765000000999999999999990", [
        ["a1", null, "root", 0, 9_000_000_000],
        ["b2", 0, "child", 5, 3],
        ["c3", 4, "in a cycle", 7, 11],
        ["d4", 2, "in a cycle too", 8, 13],
        ["c3", 3, "twice-sent id", 20, 30],
        ["e5", "f6", "orphan", 1_000_000_000_001, 2],
        ["b2", 1, "own id as parent", 40, -10],
      ]),
    );
    expect(tree.endNanos).toBe(String(1765000000999999999999990n + 1_000_000_000_003n));
    expect(tree.nodes.map((node) => node.parentIssue)).toContain("cycle");
  });

  it("takes a parent named by the place of a twice-sent id's second span as the first", () => {
    const tree = sameTreeAsFromStrings(
      compactAnswer("1000", [
        ["a1", null, "root", 0, 100],
        ["b2", 0, "first b2", 10, 10],
        ["b2", 0, "second b2", 20, 10],
        ["c3", 2, "child of b2", 30, 10],
      ]),
    );
    expect(tree.byId.get("c3")?.parent?.span.name).toBe("first b2");
  });

  it("reads the spans' own times when the answer names an earliest start later than a span's", () => {
    const { spans } = expandCompactTrace(compactAnswer("5000", [["a1", null, "root", 3, 10]]));
    expect(buildWaterfallTree(spans).startNanos).toBe("5003");
  });
});

/** A compact answer's text as the server writes it: `perLine` spans to a line between the head's and the tail's. */
function answerText(compact: CompactTraceResponse, perLine: number): string {
  const { spans, snapshots, ...head } = compact;
  const lines: string[] = [];
  for (let from = 0; from < spans.length; from += perLine) {
    lines.push(JSON.stringify(spans.slice(from, from + perLine)).slice(1, -1));
  }
  return `${JSON.stringify(head).slice(0, -1)},"spans":[\n${lines.join(",\n")}\n],"snapshots":${JSON.stringify(snapshots)}}`;
}

/** `text` as a body of one piece per line, that notes when it is cancelled. */
function watchedBody(text: string) {
  const pieces = text.split(/(?<=\n)/).map((piece) => new TextEncoder().encode(piece));
  const watched = { cancelled: false, piecesLeft: pieces.length, body: null as unknown as ReadableStream<Uint8Array> };
  watched.body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const piece = pieces.shift();
      watched.piecesLeft = pieces.length;
      if (piece === undefined) controller.close();
      else controller.enqueue(piece);
    },
    cancel() {
      watched.cancelled = true;
    },
  });
  return watched;
}

describe("a broken compact answer", () => {
  const fourSpans = compactAnswer("1000", [
    ["a1", null, "root", 0, 100],
    ["b2", 0, "child", 10, 10],
    ["c3", 1, "grandchild", 20, 10],
    ["d4", 0, "second child", 30, 10],
  ]);

  it("is refused when it ends right after a slice's line, before the members after its spans", async () => {
    const text = answerText(fourSpans, 2);
    const read = (body: string) => readCompactTrace(watchedBody(body).body);
    expect(await read(text)).toStrictEqual(expandCompactTrace(fourSpans));
    const afterFirstSlice = text.slice(0, text.indexOf(",\n", text.indexOf("[\n")) + 2);
    const afterLastSlice = text.slice(0, text.lastIndexOf("\n") + 1);
    for (const cut of [afterFirstSlice, afterLastSlice]) {
      expect(cut.endsWith("\n")).toBe(true);
      await expect(read(cut)).rejects.toThrow(new CompactTraceError("the answer ends before its spans do"));
    }
  });

  it("is refused as cut, not in JSON.parse's words, when it ends within a line", async () => {
    const text = answerText(fourSpans, 2);
    const read = (body: string) => readCompactTrace(watchedBody(body).body);
    const withinSlice = text.slice(0, text.indexOf('"c3"') + 2);
    const withinLast = text.slice(0, text.length - 3);
    for (const cut of [withinSlice, withinLast]) {
      await expect(read(cut)).rejects.toThrow(new CompactTraceError("the answer ends before its spans do"));
    }
  });

  it("is refused as cut when it ends within its first line, or within an answer on one line", async () => {
    const text = answerText(fourSpans, 2);
    const oneLine = JSON.stringify(fourSpans);
    const read = (body: string) => readCompactTrace(watchedBody(body).body);
    for (const cut of [
      text.slice(0, text.indexOf('"strings"')),
      text.slice(0, text.indexOf("\n")),
      oneLine.slice(0, -1),
    ]) {
      expect(cut.includes("\n")).toBe(false);
      await expect(read(cut)).rejects.toThrow(new CompactTraceError("the answer ends before its spans do"));
    }
    // Other text that is not JSON is still not a trace.
    await expect(read('{"error":')).rejects.toThrow(new CompactTraceError("the server's answer is not a trace"));
  });

  it("cancels its body when a line is refused before the end", async () => {
    const text = answerText(fourSpans, 1);
    const lines = text.split("\n");
    const brokenSlice = [lines[0], lines[1], '["b2",0,oops],', ...lines.slice(3)].join("\n");
    const badPlace = text.replace('["b2",0,2', '["b2",0,99');
    for (const [body, error] of [
      [brokenSlice, new CompactTraceError("the server's answer is not a trace")],
      [badPlace, CompactTraceError],
      ["<html>\n<body>Bad gateway</body>\n</html>", CompactTraceError],
    ] as const) {
      const watched = watchedBody(body);
      await expect(readCompactTrace(watched.body)).rejects.toThrow(error);
      expect(watched.piecesLeft).toBeGreaterThan(0);
      expect(watched.cancelled).toBe(true);
    }
  });

  it("is refused when a span names as its parent a place that is not a span's", () => {
    const withParent = (parent: number) =>
      compactAnswer("1000", [
        ["a1", null, "root", 0, 100],
        ["b2", 0, "child", 10, 10],
        ["c3", parent, "named by place", 20, 10],
        ["d4", 0, "last", 30, 10],
      ]);
    for (const parent of [-1, 1.5, 2.5, 4, 3.5]) {
      expect(() => expandCompactTrace(withParent(parent))).toThrow(
        new CompactTraceError("span c3 names a parent the answer does not hold"),
      );
    }
    // Its own place, an earlier one and a later one are spans'.
    expect(expandCompactTrace(withParent(2)).spans[2]?.parentSpanId).toBe("c3");
    expect(expandCompactTrace(withParent(1)).spans[2]?.parentSpanId).toBe("b2");
    expect(expandCompactTrace(withParent(3)).spans[2]?.parentSpanId).toBe("d4");
  });

  it("that is not JSON (a proxy's HTML page), or JSON but no trace, is said not to be a trace, on one line or on several", async () => {
    // A head that is not a compact one: the first line of `{"items":[` parses as one.
    const head = JSON.stringify(fourSpans).slice(0, JSON.stringify(fourSpans).indexOf('"spans":['));
    const notTraces = [
      '{"error":"bad gateway"}',
      "[]",
      "42",
      '"text"',
      '{"spans":{}}',
      '{"spans":[]}',
      '{"spans":[[]]}',
      '{"items":[\n1\n]}\n',
      '{"startTimeUnixNano":5,"strings":[],"resources":[],"scopes":[],"spans":[\n]}\n',
      `${head}"spans":[1]}`,
      `${head}"spans":[\n1,\n["a1"]\n]}\n`,
    ];
    for (const body of [
      "<html>\n<body>502 Bad Gateway</body>\n</html>\n",
      "<html>502 Bad Gateway</html>",
      "",
      ...notTraces,
    ]) {
      await expect(readCompactTrace(watchedBody(body).body)).rejects.toThrow(
        new CompactTraceError("the server's answer is not a trace"),
      );
    }
  });
});

describe.each(["memory", "sqlite"] as const)("GET /api/traces/:traceId?form=compact1, %s store", (kind) => {
  const dir = tempDir();
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind === "sqlite" ? { db: join(dir.path, "compact.db") } : {});
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  const get = (path: string) => getSized(`${app.base}${path}`);

  it("reads back as the full form, span by span, for an SDK's trace; in fewer bytes than the shared form", async () => {
    const { traceId } = await sendTraceOfManyResources(app.base);
    const full = await get(`/api/traces/${traceId}`);
    const shared = await get(`/api/traces/${traceId}?resources=shared`);
    const compact = await get(`/api/traces/${traceId}?form=compact1`);
    expect(compact.status).toBe(200);
    const body = compact.body as CompactTraceResponse;
    expect(Object.keys(body)).toEqual([
      "traceId",
      "name",
      "service",
      "form",
      "startTimeUnixNano",
      "strings",
      "resources",
      "scopes",
      "spans",
      "snapshots",
    ]);
    expect(body.form).toBe("compact1");
    // One of each resource and scope, as in the shared form.
    expect(body.resources).toEqual((shared.body as { resources: unknown[] }).resources);
    expect(body.scopes).toEqual((shared.body as { scopes: unknown[] }).scopes);
    expect(body.spans).toHaveLength(8);
    expect(body.spans.every((span) => Array.isArray(span))).toBe(true);
    expect(expandCompactTrace(body)).toStrictEqual(full.body as TraceResponse);
    expect(compact.bytes).toBeLessThan(shared.bytes * 0.8);
  });

  it("reads back as the full form with events, links, odd times, orphans, twice-sent ids and GenAI costs", async () => {
    const traceId = await sendUnusualTrace(app.base);
    const full = (await get(`/api/traces/${traceId}`)).body as TraceResponse;
    const compact = (await get(`/api/traces/${traceId}?form=compact1`)).body as CompactTraceResponse;
    expect(full.spans.length).toBeGreaterThanOrEqual(8);
    expect(full.spans.some((span) => span.llmCost !== undefined)).toBe(true);
    expect(full.spans.some((span) => span.events.length > 0 && span.links.length > 0)).toBe(true);
    const expanded = expandCompactTrace(compact);
    expect(expanded).toStrictEqual(full);
    // The times far from the rest are sent whole, the others as numbers after the earliest start.
    expect(compact.startTimeUnixNano).toBe("1");
    const far = compact.spans.find((span) => compact.strings[span[2]] === "past 2^63");
    expect(far?.[5]).toBeNull();
    expect(far?.[11]?.startTimeUnixNano).toBe(String(2n ** 63n + 5n));
    // A parent in the trace by place, one not in it by id.
    const orphan = compact.spans.find((span) => compact.strings[span[2]] === "orphan");
    expect(typeof orphan?.[1]).toBe("string");
    const charge = compact.spans.find((span) => compact.strings[span[2]] === "charge");
    expect(typeof charge?.[1]).toBe("number");
  });

  it("builds the same waterfall from the compact form's numbers as from the full form's times", async () => {
    const { traceId: sdkTrace } = await sendTraceOfManyResources(app.base);
    for (const [traceId, numbers] of [
      [sdkTrace, true],
      [await sendUnusualTrace(app.base, { far: false }), true],
      // A time past 2^63 is sent whole: the strings are all there is.
      [await sendUnusualTrace(app.base), false],
    ] as const) {
      const full = (await get(`/api/traces/${traceId}`)).body as TraceResponse;
      const expanded = expandCompactTrace((await get(`/api/traces/${traceId}?form=compact1`)).body);
      expect(spanNumbersOf(expanded.spans) !== undefined).toBe(numbers);
      expect(treeFacts(buildWaterfallTree(expanded.spans))).toStrictEqual(treeFacts(buildWaterfallTree(full.spans)));
    }
  });

  it("reads as the whole text does when read as it arrives, in pieces of any size, parents named later or before", async () => {
    const traceId = newTraceId();
    const ids = Array.from({ length: 4_500 }, newSpanId);
    const t = 1_765_000_000_000_000_000n;
    // Each span's parent is sent after it and starts after it (a chain upwards), so each is named by a later place, some in
    // a later slice; names with a line break and characters of several bytes.
    const request = jsonTraceRequest(
      "shop",
      ids.map((spanId, i) => ({
        traceId,
        spanId,
        ...(i + 1 < ids.length ? { parentSpanId: ids[i + 1] } : {}),
        name: i % 2 === 0 ? `step ${i}\nnext line` : `étape ✓ ${i} 🚀`,
        startNs: t + BigInt(i) * 1_000n,
        attributes: { "app.index": i, "app.note": "],[\n{" },
      })),
    );
    expect((await postJson(app.base, request)).status).toBe(200);
    const text = await (await fetch(`${app.base}/api/traces/${traceId}?missing=null&form=compact1`)).text();
    const compact = JSON.parse(text) as CompactTraceResponse;
    expect(compact.spans.filter(([, parent], i) => typeof parent === "number" && parent > i)).toHaveLength(
      ids.length - 1,
    );
    const whole = expandCompactTrace(compact);
    expect(whole.spans).toHaveLength(ids.length);
    expect(whole.spans.filter((span) => span.parentSpanId !== null)).toHaveLength(ids.length - 1);
    const bytes = new TextEncoder().encode(text);
    for (const size of [3, 4096, bytes.length]) {
      let read = false;
      const trace = await readCompactTrace(streamOf(bytes, size), () => {
        read = true;
      });
      expect(read).toBe(true);
      expect(trace).toStrictEqual(whole);
      expect(spanNumbersOf(trace?.spans ?? [])).toStrictEqual(spanNumbersOf(whole.spans));
    }
    // An answer on one line: `null`, and the text with its line breaks taken out.
    const missing = new TextEncoder().encode("null");
    expect(await readCompactTrace(streamOf(missing, 2))).toBeNull();
    const oneLine = new TextEncoder().encode(text.replaceAll("\n", ""));
    expect(await readCompactTrace(streamOf(oneLine, 4096))).toStrictEqual(whole);
  });

  it("answers null for a trace not stored (missing=null) and refuses another form", async () => {
    const missing = await get(`/api/traces/${"ab".repeat(16)}?missing=null&form=compact1`);
    expect(missing).toMatchObject({ status: 200, body: null });
    const bad = await get(`/api/traces/${"ab".repeat(16)}?form=compact2`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toEqual({ code: "invalid_query", message: 'form must be "compact1", not "compact2"' });
  });

  it("answers a trace asked again the same, with the spans that joined it since, and anew after a clear", async () => {
    const traceId = newTraceId();
    const root = newSpanId();
    const t = 1_765_000_000_000_000_000n;
    const send = async (spans: { name: string; parent?: string; at: bigint }[]) => {
      const request = jsonTraceRequest(
        "shop",
        spans.map(({ name, parent, at }) => ({
          traceId,
          spanId: name === "GET /cart" ? root : newSpanId(),
          ...(parent === undefined ? {} : { parentSpanId: parent }),
          name,
          startNs: t + at,
          attributes: { "cart.items": 3, "cart.note": "x".repeat(5_000) },
        })),
      );
      expect((await postJson(app.base, request)).status).toBe(200);
    };
    const compact = async () => {
      const response = await fetch(`${app.base}/api/traces/${traceId}?missing=null&form=compact1`);
      expect(response.headers.get("content-type")).toBe("application/json");
      const text = await response.text();
      const full = (await get(`/api/traces/${traceId}`)).body as TraceResponse;
      // Always what the full form says, span by span.
      expect(expandCompactTrace(JSON.parse(text) as CompactTraceResponse)).toStrictEqual(full);
      return { text, names: full.spans.map((span) => span.name) };
    };
    await send([{ name: "GET /cart", at: 0n }]);
    const first = await compact();
    expect(first.names).toEqual(["GET /cart"]);
    expect((await compact()).text).toBe(first.text);
    // A live trace: a span joins it.
    await send([{ name: "load cart", parent: root, at: 1_000n }]);
    expect((await compact()).names).toEqual(["GET /cart", "load cart"]);
    // Cleared, then as many other spans under the same trace id.
    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    expect((await get(`/api/traces/${traceId}?missing=null&form=compact1`)).body).toBeNull();
    await send([
      { name: "GET /cart", at: 0n },
      { name: "price cart", parent: root, at: 2_000n },
    ]);
    expect((await compact()).names).toEqual(["GET /cart", "price cart"]);
  });
});
