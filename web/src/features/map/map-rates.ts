import { type RateUnit, rateUnitFor } from "../services/request-rate";
import type { PlacedEdge, PlacedNode } from "./map-layout";

/** The map's window in seconds, and the one unit every node's and edge's rate is written in. */
export interface MapRates {
  seconds: number;
  unit: RateUnit;
}

/** One unit for the whole map, so boxes and edges side by side compare at a glance (8/s beside 0.3/s, never beside 18/min). */
export function mapRates(nodes: readonly PlacedNode[], edges: readonly PlacedEdge[], seconds: number): MapRates {
  const perSecond = (calls: number) => calls / Math.max(seconds, 1);
  return { seconds, unit: rateUnitFor([...nodes, ...edges].map((item) => perSecond(item.calls))) };
}
