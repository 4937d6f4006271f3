/** GET /api/service-map: which service calls which over a window. */
import { Hono } from "hono";
import { type PeerNames, serviceMapOf } from "../../domain/service-map.js";
import type { ServiceMapResponse } from "../../protocol.js";
import type { Store } from "../../store/store.js";
import { parseTimeWindow } from "../time-window.js";

export interface ServiceMapApiDeps {
  store: Store;
  /** `--service-name-mapping`: a peer's `host:port` or `host` → the service name shown. */
  peerNames?: PeerNames;
}

export function serviceMapApiRoutes(deps: ServiceMapApiDeps): Hono {
  const app = new Hono();
  app.get("/api/service-map", (c) => {
    const window = parseTimeWindow(new URL(c.req.url).searchParams);
    const traffic = deps.store.serviceTraffic(window);
    const { firstMs, lastMs } = traffic;
    const body: ServiceMapResponse = {
      ...serviceMapOf(traffic, deps.peerNames),
      tracesRead: traffic.traces,
      truncated: false,
      // Over what the calls span: rates are calls per second of it.
      seconds: firstMs === null || lastMs === null ? 0 : Math.max((lastMs - firstMs) / 1000, 1),
    };
    const building = deps.store.viewsBuilding();
    if (building !== null) body.building = building;
    return c.json(body);
  });
  return app;
}
