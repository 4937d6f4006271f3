/** GET /api/service-map: which service calls which over a window. */
import { Hono } from "hono";
import { wholeMinutesOf } from "../../domain/rate-window.js";
import { type PeerNames, serviceMapOf } from "../../domain/service-map.js";
import type { ServiceMapResponse } from "../../protocol.js";
import type { Store } from "../../store/store.js";
import { createServiceMapLayouts, type ServiceMapLayouts } from "../service-map-layout.js";
import { parseTimeWindow } from "../time-window.js";

export interface ServiceMapApiDeps {
  store: Store;
  /** `--service-name-mapping`: a peer's `host:port` or `host` → the service name shown. */
  peerNames?: PeerNames;
  /** The layouts kept for `layout=1` (one set per app by default). */
  mapLayouts?: ServiceMapLayouts;
}

export function serviceMapApiRoutes(deps: ServiceMapApiDeps): Hono {
  const layouts = deps.mapLayouts ?? createServiceMapLayouts();
  const app = new Hono();
  app.get("/api/service-map", async (c) => {
    const params = new URL(c.req.url).searchParams;
    const window = parseTimeWindow(params);
    // Spans by the minute they started in, as /api/services counts them: the same spans, the same figures.
    const traffic = deps.store.serviceTraffic(wholeMinutesOf(window));
    const { firstMs, lastMs } = traffic;
    const map = serviceMapOf(traffic, deps.peerNames);
    const body: ServiceMapResponse = {
      ...map,
      tracesRead: traffic.traces,
      truncated: false,
      // What rates are per, the Services page's basis: the window, or the time the stored spans
      // span with their idle stretches left out.
      seconds: firstMs === null || lastMs === null ? 0 : deps.store.rateBasis(window).seconds,
    };
    const building = deps.store.viewsBuilding();
    if (building !== null) body.building = building;
    if (params.get("layout") === "1") body.layout = await layouts.layoutOf(map);
    return c.json(body);
  });
  return app;
}
