import type uPlot from "uplot";
import { formatAbsolute, formatCount } from "../../lib/format";
import type { LatencyPoint } from "./latency-chart-model";

/** Where the plot area sits in the chart's box, in CSS pixels. */
export interface PlotBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

export function plotBoxOf(u: uPlot): PlotBox {
  return { left: u.over.offsetLeft, top: u.over.offsetTop, width: u.over.clientWidth, height: u.over.clientHeight };
}

function whenText(points: readonly LatencyPoint[]): string {
  const first = points[0] as LatencyPoint;
  const last = points[points.length - 1] as LatencyPoint;
  const from = formatAbsolute(first.x * 1000).slice(0, 19);
  const to = formatAbsolute(last.x * 1000).slice(0, 19);
  return from === to ? from : `${from} to ${to}`;
}

/**
 * The traces left off one end of the time axis (far older than the rest, or dated in the future): a
 * dashed edge, as on a broken axis, and a button counting them that lists only them.
 */
export function OffAxisMarker(props: {
  side: "before" | "after";
  points: readonly LatencyPoint[];
  box: PlotBox;
  onShow(): void;
}) {
  const { side, points, box } = props;
  const count = points.length;
  const failing = points.filter((p) => p.failing).length;
  const noun = `${formatCount(count)} trace${count === 1 ? "" : "s"}`;
  const title =
    `${noun} ${side === "before" ? "started long before the others" : "dated in the future, by a clock that runs ahead"} (${whenText(points)})` +
    `${failing > 0 ? `, ${formatCount(failing)} failing` : ""}: off the axis so the others are not squeezed together. Click to list ${count === 1 ? "it" : "them"}.`;
  const edge = side === "before" ? box.left : box.left + box.width;
  return (
    <>
      <div
        class={`latency-edge ${side}`}
        style={{ left: `${edge}px`, top: `${box.top}px`, height: `${box.height}px` }}
        aria-hidden="true"
      />
      <button
        type="button"
        class={`latency-off-axis ${side}${failing > 0 ? " failing" : ""}`}
        style={
          side === "before"
            ? { left: `${edge + 3}px`, top: `${box.top + 3}px` }
            : { right: `calc(100% - ${edge - 3}px)`, top: `${box.top + 3}px` }
        }
        title={title}
        aria-label={title}
        data-testid={`latency-off-axis-${side}`}
        onClick={props.onShow}
      >
        {side === "before" ? `◂ ${formatCount(count)} older` : `${formatCount(count)} in the future ▸`}
      </button>
    </>
  );
}
