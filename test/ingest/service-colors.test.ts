import { afterAll, afterEach, describe, expect, it } from "vitest";
import { preferredColorSlot } from "../../src/domain/service-colors.js";
import { openStores } from "../../src/store/open-store.js";
import { createSqliteStore, loadSqliteDriver } from "../../src/store/sqlite-store.js";
import { startTestApp, type TestApp, tempDir } from "../helpers/app.js";
import { connectLive, waitFor } from "../helpers/live.js";
import { jsonLogRequest, jsonTraceRequest, postJson, postLogs } from "../helpers/payloads.js";
import { rootSpan } from "../store/span-fixtures.js";

const dir = tempDir();
afterAll(() => dir.remove());
let files = 0;
const tempPath = () => `${dir.path}/colors-${++files}.db`;

/** A name of the form `prefix-i` that wants the same palette slot as `other`. */
function nameWantingSlotOf(other: string, prefix: string): string {
  for (let i = 0; ; i++) {
    const name = `${prefix}-${i}`;
    if (name !== other && preferredColorSlot(name) === preferredColorSlot(other)) return name;
  }
}

/** The retained `service-colors` message a page gets on connect, once it names `count` services. */
async function slotsOnConnect(app: TestApp, count: number): Promise<Record<string, number>> {
  const { ws, messages } = await connectLive(app.port);
  try {
    return await waitFor(() => {
      const slots = messages.filter((m) => m.type === "service-colors").at(-1)?.slots;
      return slots !== undefined && Object.keys(slots).length >= count ? (slots as Record<string, number>) : undefined;
    }, 5_000);
  } finally {
    ws.close();
  }
}

describe("service colours with a --db file", () => {
  const running: TestApp[] = [];
  afterEach(async () => {
    for (const app of running.splice(0)) await app.close();
  });
  async function start(db: string): Promise<TestApp> {
    const app = await startTestApp({ db });
    running.push(app);
    return app;
  }
  async function stop(app: TestApp): Promise<void> {
    running.splice(running.indexOf(app), 1);
    await app.close();
  }

  it("gives every service the slot it had in the last run, whatever order its data comes back in", async () => {
    const path = tempPath();
    // Arriving first, the later name takes the slot both want; by name (the order a file's services
    // are listed in) the earlier one would.
    const first = "zz-first";
    const second = nameWantingSlotOf(first, "aa-second");
    const logsOnly = "logs-only";

    let app = await start(path);
    expect((await postJson(app.base, jsonTraceRequest(first, [{ name: "GET /a", kind: 2 }]))).status).toBe(200);
    expect((await postJson(app.base, jsonTraceRequest(second, [{ name: "GET /b", kind: 2 }]))).status).toBe(200);
    expect((await postLogs(app.base, jsonLogRequest(logsOnly, [{ body: "hello" }]))).status).toBe(200);
    const before = await slotsOnConnect(app, 3);
    expect(before[first]).toBe(preferredColorSlot(first));
    expect(before[second]).not.toBe(before[first]);
    await stop(app);

    app = await start(path);
    expect(await slotsOnConnect(app, 3)).toEqual(before);
    // A newcomer after the restart gets a slot no kept service has.
    expect((await postJson(app.base, jsonTraceRequest("newcomer", [{ name: "GET /c", kind: 2 }]))).status).toBe(200);
    const withNewcomer = await slotsOnConnect(app, 4);
    expect(Object.values(before)).not.toContain(withNewcomer.newcomer);
    await stop(app);

    app = await start(path);
    expect(await slotsOnConnect(app, 4)).toEqual(withNewcomer);
  });

  it("keeps the assignment through a clear, in the run and after it", async () => {
    const path = tempPath();
    const first = "zz-kept";
    const second = nameWantingSlotOf(first, "aa-kept");
    let app = await start(path);
    await postJson(app.base, jsonTraceRequest(first, [{ name: "GET /a", kind: 2 }]));
    await postJson(app.base, jsonTraceRequest(second, [{ name: "GET /b", kind: 2 }]));
    const before = await slotsOnConnect(app, 2);
    expect((await fetch(`${app.base}/api/traces`, { method: "DELETE" })).status).toBe(200);
    // Back in the other order after the clear: each keeps its colour.
    await postJson(app.base, jsonTraceRequest(second, [{ name: "GET /b", kind: 2 }]));
    await postJson(app.base, jsonTraceRequest(first, [{ name: "GET /a", kind: 2 }]));
    expect(await slotsOnConnect(app, 2)).toEqual(before);
    await stop(app);

    app = await start(path);
    expect(await slotsOnConnect(app, 2)).toEqual(before);
  });

  it("colours the services of a file from before colours were kept by name, once, then keeps them", async () => {
    const path = tempPath();
    await loadSqliteDriver();
    // The span store alone, as tracekit-local wrote files before.
    const old = createSqliteStore({ path, maxSpans: 1000 });
    const byName = nameWantingSlotOf("zz-old", "aa-old");
    old.insertSpans([rootSpan(1, { service: "zz-old" }), rootSpan(2, { service: byName })]);
    old.close();

    let app = await start(path);
    const filled = await slotsOnConnect(app, 2);
    expect(filled[byName]).toBe(preferredColorSlot("zz-old"));
    await stop(app);

    const { store, serviceColors } = await openStores({ dbPath: path, maxSpans: 1000 });
    expect(Object.fromEntries(serviceColors?.given() ?? [])).toEqual(filled);
    store.close();

    app = await start(path);
    expect(await slotsOnConnect(app, 2)).toEqual(filled);
  });

  it("refuses a file whose colour table a newer version wrote, saying so", async () => {
    const path = tempPath();
    (await openStores({ dbPath: path, maxSpans: 1000 })).store.close();
    const Driver = (await import("better-sqlite3")).default;
    const raw = new Driver(path);
    raw.prepare("UPDATE service_color_schema SET version = 99").run();
    raw.close();
    await expect(openStores({ dbPath: path, maxSpans: 1000 })).rejects.toThrow(
      /its service colour tables were written by a newer tracekit-local \(version 99, this one knows 1\)/,
    );
  });

  it("keeps nothing without a file", async () => {
    const { serviceColors, store } = await openStores({ dbPath: null, maxSpans: 1000 });
    expect(serviceColors).toBeNull();
    store.close();
  });
});
