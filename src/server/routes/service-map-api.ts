/** GET /api/service-map: which service calls which over a window (the newest traces in it). */
import { Hono } from "hono";
import { buildServiceMap } from "../../domain/service-map.js";
import type { ServiceMapResponse } from "../../protocol.js";
import type { Store } from "../../store/store.js";
import { readTraces } from "../read-traces.js";
import { parseTimeWindow } from "../time-window.js";

export interface ServiceMapApiDeps {
  store: Store;
}

export function serviceMapApiRoutes(deps: ServiceMapApiDeps): Hono {
  const app = new Hono();
  app.get("/api/service-map", (c) => {
    const window = parseTimeWindow(new URL(c.req.url).searchParams);
    const { traces, truncated } = readTraces(deps.store, window);
    let first: bigint | undefined;
    let last: bigint | undefined;
    for (const spans of traces) {
      for (const span of spans) {
        if (first === undefined || span.startTimeUnixNano < first) first = span.startTimeUnixNano;
        if (last === undefined || span.endTimeUnixNano > last) last = span.endTimeUnixNano;
      }
    }
    const body: ServiceMapResponse = {
      ...buildServiceMap(traces),
      tracesRead: traces.length,
      truncated,
      // Over what the calls span: rates are calls per second of it.
      seconds: first === undefined || last === undefined ? 0 : Math.max(Number(last - first) / 1e9, 1),
    };
    return c.json(body);
  });
  return app;
}
