import { describe, expect, it } from "vitest";
import { FIT_VIEW, mapViewParam, readMapView, zoomedView } from "../../web/src/features/map/map-view";

describe("the map's view in the address", () => {
  it("writes offsets in whole units and the scale to three decimals, and reads them back", () => {
    const view = { x: 120.4, y: -39.6, scale: 1.5625 };
    expect(mapViewParam(view)).toBe("120,-40,1.563");
    expect(readMapView("120,-40,1.563")).toEqual({ x: 120, y: -40, scale: 1.563 });
  });

  it("leaves Fit out of the address, and reads a missing or unreadable view as Fit itself", () => {
    expect(mapViewParam(FIT_VIEW)).toBeNull();
    expect(mapViewParam({ x: 0.3, y: -0.2, scale: 1.0001 })).toBeNull();
    for (const text of [
      null,
      undefined,
      "",
      "0,0,1",
      "1,2",
      "1,2,3,4",
      "a,b,c",
      "1,,2",
      "1,2,0",
      "1,2,-1",
      "1e9,0,1",
      "1,2,Infinity",
    ]) {
      expect(readMapView(text), String(text)).toBe(FIT_VIEW);
    }
  });

  it("keeps a scale from an address, or a zoom, within the map's bounds", () => {
    expect(readMapView("0,0,100").scale).toBe(4);
    expect(readMapView("0,0,0.001").scale).toBe(0.25);
    expect(zoomedView({ x: 5, y: 6, scale: 3.9 }, 1.25)).toEqual({ x: 5, y: 6, scale: 4 });
    expect(zoomedView(FIT_VIEW, 1 / 1.25)).toEqual({ x: 0, y: 0, scale: 0.8 });
  });
});
