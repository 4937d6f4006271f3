import type { RefObject } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { END_LABEL_FRACTION, labelsToShow, type RulerTicks } from "./time-ruler-model";
import type { TimeWindow } from "./waterfall-model";

export interface TimeRulerProps {
  view: TimeWindow;
  ticks: RulerTicks;
  zoomed: boolean;
  onZoom(view: TimeWindow | null): void;
  /** Lets the waterfall measure the timeline's width (grid lines, tick count). */
  rootRef?: RefObject<HTMLDivElement>;
  /** The timeline's width in px: the labels are measured again when it changes. */
  widthPx: number;
}

/**
 * The ticks whose labels are left off (their lines stay): measured as drawn, after each layout, so
 * that no two labels run together whatever the font's width.
 */
function useCrowdedLabels(ref: RefObject<HTMLDivElement>, ticks: RulerTicks, widthPx: number): ReadonlySet<number> {
  const [crowded, setCrowded] = useState<ReadonlySet<number>>(new Set());
  useLayoutEffect(() => {
    const labels = ref.current?.querySelectorAll<HTMLElement>(".tv-tick-label");
    if (!labels) return;
    // A hidden label still takes its room (visibility), so each is measured where it would be drawn.
    const shown = labelsToShow([...labels].map((label) => label.getBoundingClientRect()));
    const next = new Set(ticks.ticks.filter((_, i) => shown[i] === false));
    setCrowded((previous) =>
      previous.size === next.size && [...next].every((tick) => previous.has(tick)) ? previous : next,
    );
  }, [ref, ticks, widthPx]);
  return crowded;
}

/** Below this many pixels a drag is a click, not a zoom. */
const MIN_DRAG_PX = 5;

/** Tick labels over the timeline; drag across it to zoom into a time range, double-click to reset. */
export function TimeRuler({ view, ticks, zoomed, onZoom, rootRef, widthPx }: TimeRulerProps) {
  const ownRef = useRef<HTMLDivElement>(null);
  const ref = rootRef ?? ownRef;
  const crowded = useCrowdedLabels(ref, ticks, widthPx);
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  const length = view.toMs - view.fromMs;

  const fraction = (event: PointerEvent) => {
    const rect = ref.current!.getBoundingClientRect();
    return Math.min(1, Math.max(0, (event.clientX - rect.left) / Math.max(1, rect.width)));
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: zooming by drag is a pointer nicety; "Reset zoom" is a button
    <div
      ref={ref}
      class="tv-ruler"
      title={zoomed ? "Drag to zoom further, double-click to show the whole trace" : "Drag to zoom into a time range"}
      onPointerDown={(event) => {
        if (event.button !== 0) return;
        (event.currentTarget as HTMLElement).setPointerCapture(event.pointerId);
        const at = fraction(event);
        setDrag({ from: at, to: at });
      }}
      onPointerMove={(event) => {
        if (drag) setDrag({ from: drag.from, to: fraction(event) });
      }}
      onPointerUp={(event) => {
        if (!drag) return;
        setDrag(null);
        const width = ref.current?.getBoundingClientRect().width ?? 0;
        const lo = Math.min(drag.from, fraction(event));
        const hi = Math.max(drag.from, fraction(event));
        if ((hi - lo) * width < MIN_DRAG_PX) return;
        onZoom({ fromMs: view.fromMs + lo * length, toMs: view.fromMs + hi * length });
      }}
      onPointerCancel={() => setDrag(null)}
      onDblClick={() => onZoom(null)}
    >
      {ticks.ticks.map((tick, i) => {
        const left = ((tick - view.fromMs) / length) * 100;
        const edge = left > END_LABEL_FRACTION * 100 ? " end" : "";
        return (
          <span key={tick} class={`tv-tick${edge}`} style={{ left: `${left}%` }}>
            <span class={`tv-tick-label${crowded.has(tick) ? " crowded" : ""}`}>{ticks.labels[i]}</span>
          </span>
        );
      })}
      {drag && (
        <span
          class="tv-ruler-drag"
          style={{ left: `${Math.min(drag.from, drag.to) * 100}%`, width: `${Math.abs(drag.to - drag.from) * 100}%` }}
        />
      )}
    </div>
  );
}
