import { type RateUnit, rateUnitFor } from "../services/request-rate";
import type { PlacedEdge, PlacedNode } from "./map-layout";

/** The map's window in seconds, and the one unit every node's and edge's rate is written in. */
export interface MapRates {
  seconds: number;
  unit: RateUnit;
}

/** One unit for the whole map, so boxes and edges side by side compare at a glance (8/s beside 0.3/s, never beside 18/min). */
export function mapRates(nodes: readonly PlacedNode[], edges: readonly PlacedEdge[], seconds: number): MapRates {
  return { seconds, unit: rateUnitFor([...nodes, ...edges].map((item) => perSecondOf(item.calls, seconds))) };
}

/** Calls over the map's window, per second (a window under a second counts as one). */
export function perSecondOf(calls: number, seconds: number): number {
  return calls / Math.max(seconds, 1);
}
