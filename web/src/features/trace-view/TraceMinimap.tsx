import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { formatCount, formatDuration } from "../../lib/format";
import { serviceColors } from "../../lib/service-color";
import { useClientSize } from "../../lib/use-client-size";
import { useServiceColorsVersion } from "../../lib/use-service-colors";
import { useChartTheme } from "../metrics/use-chart-theme";
import type { TimeWindow, WaterfallTree } from "./waterfall-model";
import { clampWindow } from "./zoom-model";

const HEIGHT = 40;
/** Below this many pixels a drag is a click. */
const MIN_DRAG_PX = 4;

/**
 * The minimap's bars written straight into the canvas's pixels, each snapped to whole device pixels,
 * then painted at once: a 100,000-span trace's 100,000 fillRect calls took longer than building its tree.
 */
class BarPixels {
  private readonly image: ImageData;
  private readonly pixels: Uint32Array;
  private readonly colors = new Map<string, number>();

  constructor(
    private readonly context: CanvasRenderingContext2D,
    private readonly width: number,
    private readonly height: number,
  ) {
    this.image = context.createImageData(width, height);
    this.pixels = new Uint32Array(this.image.data.buffer);
  }

  /** Device pixels from `x0` to `x1` and `y0` to `y1` (at least one of each) in `color`. */
  fill(color: string, x0: number, x1: number, y0: number, y1: number): void {
    if (!(x0 < this.width && y0 < this.height)) return; // past the edge, as fillRect would leave it
    const value = this.pixelOf(color);
    const left = Math.max(0, Math.floor(x0));
    const right = Math.min(this.width, Math.max(left + 1, Math.ceil(x1)));
    const top = Math.max(0, Math.floor(y0));
    const bottom = Math.min(this.height, Math.max(top + 1, Math.ceil(y1)));
    for (let y = top; y < bottom; y++) this.pixels.fill(value, y * this.width + left, y * this.width + right);
  }

  paint(): void {
    this.context.putImageData(this.image, 0, 0);
  }

  /** A CSS colour as the four bytes of a pixel, read back from the canvas's own parsing of it. */
  private pixelOf(color: string): number {
    let value = this.colors.get(color);
    if (value !== undefined) return value;
    this.context.fillStyle = "#000";
    this.context.fillStyle = color;
    const parsed = String(this.context.fillStyle);
    const bytes = new Uint8Array(4);
    if (parsed.startsWith("#")) {
      bytes.set([0, 2, 4].map((at) => Number.parseInt(parsed.slice(1 + at, 3 + at), 16)));
      bytes[3] = 255;
    } else {
      const [r = 0, g = 0, b = 0, a = 1] = (parsed.match(/[\d.]+/g) ?? []).map(Number);
      bytes.set([r, g, b, Math.round(a * 255)]);
    }
    value = new Uint32Array(bytes.buffer)[0]!;
    this.colors.set(color, value);
    return value;
  }
}

type Drag = { mode: "brush"; from: number; to: number } | { mode: "pan"; at: number; start: TimeWindow };

/**
 * The whole trace in one strip: every span a bar (rows in waterfall order, squeezed to fit), and the
 * zoomed time window over it. Drag to choose a window, drag the window to pan, click to centre the
 * window there, double-click to show the whole trace.
 */
export function TraceMinimap({
  tree,
  zoom,
  onZoom,
}: {
  tree: WaterfallTree;
  zoom: TimeWindow | null;
  onZoom(window: TimeWindow | null): void;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const width = useClientSize(boxRef, "clientWidth", 0);
  const [drag, setDrag] = useState<Drag | null>(null);
  const total = Math.max(tree.totalMs, 0.001);
  // The server's colour assignment may come after the first drawing: draw again with it.
  const colorsVersion = useServiceColorsVersion();
  // Failing spans in the theme's error colour, drawn again when the theme changes.
  const errorColor = useChartTheme().error || "#d92d20";

  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || width === 0) return;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(HEIGHT * ratio);
    const context = canvas.getContext("2d");
    if (!context) return;
    const nodes = tree.nodes;
    const rowHeight = Math.max(1, Math.min(4, (HEIGHT - 2) / Math.max(1, nodes.length)));
    const rowStep = (HEIGHT - 2 - rowHeight) / Math.max(1, nodes.length - 1);
    const bars = new BarPixels(context, canvas.width, canvas.height);
    const serviceColor = new Map<string, string>();
    const colorOf = (service: string) => {
      let color = serviceColor.get(service);
      if (color === undefined) {
        color = serviceColors.value(service);
        serviceColor.set(service, color);
      }
      return color;
    };
    // Errors last, so a failing span is never hidden under a healthy one.
    for (const pass of [false, true]) {
      for (const node of nodes) {
        if (node.isError !== pass) continue;
        const x = (node.offsetMs / total) * width;
        const barWidth = Math.max(1, (node.durationMs / total) * width);
        const y = 1 + node.index * rowStep;
        bars.fill(
          node.isError ? errorColor : colorOf(node.span.service),
          x * ratio,
          (x + barWidth) * ratio,
          y * ratio,
          (y + rowHeight) * ratio,
        );
      }
    }
    bars.paint();
  }, [tree, width, total, colorsVersion, errorColor]);

  const fraction = (event: PointerEvent) => {
    const rect = boxRef.current!.getBoundingClientRect();
    return Math.min(1, Math.max(0, (event.clientX - rect.left) / Math.max(1, rect.width)));
  };
  const shown =
    drag?.mode === "brush"
      ? { fromMs: Math.min(drag.from, drag.to) * total, toMs: Math.max(drag.from, drag.to) * total }
      : zoom;

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a pointer shortcut; the toolbar's zoom buttons and keys do the same
    <div
      ref={boxRef}
      class="tv-minimap"
      data-testid="trace-minimap"
      title="Overview of the whole trace: drag to zoom into a time range, drag the window to pan, double-click to show everything"
      onPointerDown={(event) => {
        if (event.button !== 0) return;
        (event.currentTarget as HTMLElement).setPointerCapture(event.pointerId);
        const at = fraction(event);
        const inside = zoom !== null && at * total >= zoom.fromMs && at * total <= zoom.toMs;
        setDrag(inside ? { mode: "pan", at, start: zoom } : { mode: "brush", from: at, to: at });
      }}
      onPointerMove={(event) => {
        if (!drag) return;
        const at = fraction(event);
        if (drag.mode === "brush") setDrag({ ...drag, to: at });
        else {
          const shift = (at - drag.at) * total;
          onZoom(clampWindow({ fromMs: drag.start.fromMs + shift, toMs: drag.start.toMs + shift }, total));
        }
      }}
      onPointerUp={(event) => {
        if (!drag) return;
        setDrag(null);
        if (drag.mode !== "brush") return;
        const at = fraction(event);
        const lo = Math.min(drag.from, at);
        const hi = Math.max(drag.from, at);
        if ((hi - lo) * width >= MIN_DRAG_PX) {
          onZoom(clampWindow({ fromMs: lo * total, toMs: hi * total }, total));
        } else if (zoom !== null) {
          const half = (zoom.toMs - zoom.fromMs) / 2;
          onZoom(clampWindow({ fromMs: at * total - half, toMs: at * total + half }, total));
        }
      }}
      onPointerCancel={() => setDrag(null)}
      onDblClick={() => onZoom(null)}
    >
      <canvas
        ref={canvasRef}
        class="tv-minimap-canvas"
        style={{ height: `${HEIGHT}px` }}
        role="img"
        aria-label={`Overview of the trace: ${formatCount(tree.nodes.length)} spans over ${formatDuration(tree.totalMs)}`}
      />
      {shown && (
        <>
          <span class="tv-minimap-shade" style={{ left: 0, width: `${(shown.fromMs / total) * 100}%` }} />
          <span
            class={`tv-minimap-window${drag?.mode === "pan" ? " panning" : ""}`}
            data-testid="minimap-window"
            style={{
              left: `${(shown.fromMs / total) * 100}%`,
              width: `${((shown.toMs - shown.fromMs) / total) * 100}%`,
            }}
          />
          <span class="tv-minimap-shade" style={{ left: `${(shown.toMs / total) * 100}%`, right: 0 }} />
        </>
      )}
    </div>
  );
}
