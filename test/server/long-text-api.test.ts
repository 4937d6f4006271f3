import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ErrorGroupsResponse, TraceListResponse, TraceResponse } from "../../src/protocol.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { connectLive, waitFor } from "../helpers/live.js";
import { newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

const MB = 1_000_000;
const text = (value: string) => ({ stringValue: value });

/** One failing root span of `service` whose name, status message and exception are `huge` each. */
function hugeTrace(traceId: string, service: string, huge: string) {
  const start = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: text(service) }] },
        scopeSpans: [
          {
            scope: { name: "test" },
            spans: [
              {
                traceId,
                spanId: newSpanId(),
                name: `name ${huge} name-end`,
                kind: 2,
                startTimeUnixNano: start.toString(),
                endTimeUnixNano: (start + 5_000_000n).toString(),
                attributes: [{ key: "path", value: text(`attr ${huge} attr-end`) }],
                status: { code: 2, message: `status ${huge}` },
                events: [
                  {
                    name: "exception",
                    timeUnixNano: start.toString(),
                    attributes: [
                      { key: "exception.type", value: text(`Type${huge}`) },
                      { key: "exception.message", value: text(`message ${huge}`) },
                      { key: "exception.stacktrace", value: text(`stack ${huge}`) },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

async function get<T>(path: string): Promise<{ body: T; size: number }> {
  const response = await fetch(`${app.base}${path}`);
  expect(response.status).toBe(200);
  const raw = await response.text();
  return { body: JSON.parse(raw) as T, size: raw.length };
}

describe("1 MB names and messages", () => {
  it("cost the trace list, the errors and the live feed a few KB, while the trace keeps them whole", async () => {
    const live = await connectLive(app.port);
    const traceId = newTraceId();
    const huge = "x".repeat(MB);
    const name = `name ${huge} name-end`;
    expect((await postJson(app.base, hugeTrace(traceId, "huge", huge))).status).toBe(200);

    const pushed = await waitFor(() =>
      live.messages.find(
        (m) => m.type === "traces" && m.traces.some((t: { traceId: string }) => t.traceId === traceId),
      ),
    );
    expect(JSON.stringify(pushed).length).toBeLessThan(10_000);
    live.ws.close();

    const list = await get<TraceListResponse>("/api/traces");
    expect(list.size).toBeLessThan(10_000);
    const summary = list.body.traces.find((t) => t.traceId === traceId);
    expect(summary).toMatchObject({ name: name.slice(0, 4096), nameLength: name.length });
    expect(summary?.errorMessage?.length).toBeLessThanOrEqual(300);

    // The name filter and the query language still look at the whole texts, past what a summary carries.
    for (const search of ["name=name-end", "q=attr-end", `q=${encodeURIComponent("name~name-end")}`]) {
      const found = await get<TraceListResponse>(`/api/traces?${search}`);
      expect(
        found.body.traces.map((t) => t.traceId),
        search,
      ).toEqual([traceId]);
    }

    const errors = await get<ErrorGroupsResponse>("/api/errors");
    expect(errors.size).toBeLessThan(60_000);
    const exception = errors.body.groups.find((g) => g.kind === "exception");
    expect(exception?.type).toHaveLength(4096);
    expect(exception?.sample).toMatchObject({
      message: `message ${huge}`.slice(0, 4096),
      messageLength: MB + 8,
      stacktrace: `stack ${huge}`.slice(0, 32_768),
      stacktraceLength: MB + 6,
    });
    expect(exception?.operations[0]?.name).toBe(name.slice(0, 4096));
    expect(exception?.latest[0]?.operation.name).toBe(name.slice(0, 4096));

    const trace = await get<TraceResponse>(`/api/traces/${traceId}`);
    const [span] = trace.body.spans;
    expect(span?.name).toBe(name);
    expect(span?.status.message).toBe(`status ${huge}`);
    expect(span?.events[0]?.attributes["exception.stacktrace"]).toBe(`stack ${huge}`);
  });

  it("are cut at a whole character", async () => {
    const traceId = newTraceId();
    // An emoji (two UTF-16 units) across the cut: the summary stops before it.
    const huge = `${"y".repeat(4096 - "name ".length - 1)}😀${"y".repeat(10_000)}`;
    await postJson(app.base, hugeTrace(traceId, "emoji", huge));
    const list = await get<TraceListResponse>("/api/traces?service=emoji");
    const summary = list.body.traces[0];
    expect(summary?.name).toBe(`name ${"y".repeat(4090)}`);
    expect(summary?.nameLength).toBe(`name ${huge} name-end`.length);
  });
});
