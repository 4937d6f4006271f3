import { useRef, useState } from "preact/hooks";
import { useHistoryReturn } from "../../lib/use-history-return";
import { readZoomText, writeZoomText } from "./url-state";
import type { TimeWindow } from "./waterfall-model";
import { clampWindow, readZoomParam, sameWindow, zoomParam } from "./zoom-model";

type ZoomChange = TimeWindow | null | ((current: TimeWindow | null) => TimeWindow | null);

/**
 * The waterfall's time window, kept in the address (`?zoom=`) so a reload or a shared link shows the
 * same window, and Back steps out of a zoom (see writeZoomText). `onReturn` runs when Back or Forward
 * lands on another entry of this trace, whose other parameters may be older than the page.
 */
export function useZoomParam(totalMs: number, onReturn: () => void): [TimeWindow | null, (change: ZoomChange) => void] {
  const [zoom, setZoomState] = useState(() => readZoomParam(readZoomText(), totalMs));
  const latest = useRef(zoom);
  const total = useRef(totalMs);
  total.current = totalMs;

  useHistoryReturn(() => {
    latest.current = readZoomParam(readZoomText(), total.current);
    setZoomState(latest.current);
    onReturn();
  });

  const setZoom = (change: ZoomChange) => {
    const current = latest.current;
    const wanted = typeof change === "function" ? change(current) : change;
    const next = wanted === null ? null : clampWindow(wanted, total.current);
    if (sameWindow(next, current)) return;
    latest.current = next;
    setZoomState(next);
    writeZoomText(next === null ? null : zoomParam(next), current !== null);
  };
  return [zoom, setZoom];
}
