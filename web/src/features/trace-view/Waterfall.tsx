import type { ComponentChildren } from "preact";
import { useCallback, useId, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { SnapshotSummaryJson } from "../../../../src/protocol";
import { VirtualList } from "../../components/VirtualList";
import { formatCount } from "../../lib/format";
import { useClientSize } from "../../lib/use-client-size";
import type { SpanLogMark } from "../logs/trace-logs";
import { criticalPath, selfTimeShares } from "./critical-path";
import { TimeRuler } from "./TimeRuler";
import { TraceMinimap } from "./TraceMinimap";
import { rulerTicks } from "./time-ruler-model";
import { type Highlight, WaterfallRow } from "./WaterfallRow";
import {
  BAR_LABEL_CHAR_PX,
  type MeasureText,
  type TimeWindow,
  treeFractionFor,
  type WaterfallNode,
  type WaterfallTree,
  widestTreeRow,
} from "./waterfall-model";

export const ROW_HEIGHT = 24;

/** A request to scroll a span into view; `seq` makes a repeated request for the same span count. */
export interface Reveal {
  spanId: string;
  align: "nearest" | "center";
  seq: number;
}

export interface WaterfallProps {
  tree: WaterfallTree;
  rows: WaterfallNode[];
  collapsed: ReadonlySet<string>;
  selectedId: string | null;
  pathIds: ReadonlySet<string>;
  matchIds: ReadonlySet<string>;
  /** Ancestors of matches: collapsed ones are marked as hiding a match. */
  matchAncestorIds: ReadonlySet<string>;
  query: string;
  /** Code-monitoring snapshots per span id: their rows get a mark. */
  snapshots?: ReadonlyMap<string, readonly SnapshotSummaryJson[]>;
  /** Log records per span id: their rows get a mark. */
  logMarks?: ReadonlyMap<string, SpanLogMark>;
  reveal: Reveal | null;
  onSelect(spanId: string): void;
  onToggle(spanId: string): void;
  toolbar: ComponentChildren;
  /** The zoomed time window, or null for the whole trace (owned by the page: keys and toolbar change it too). */
  zoom: TimeWindow | null;
  onZoom(window: TimeWindow | null): void;
  highlight: Highlight;
}

function rowIndex(tree: WaterfallTree, rows: WaterfallNode[], spanId: string): number {
  const node = tree.byId.get(spanId);
  if (!node) return -1;
  return rows === tree.nodes ? node.index : rows.indexOf(node);
}

export function Waterfall(props: WaterfallProps) {
  const { tree, rows, reveal, zoom, onZoom, highlight } = props;
  const critical = useMemo(() => (highlight === "critical" ? criticalPath(tree).ids : null), [tree, highlight]);
  const selfShares = useMemo(() => (highlight === "self" ? selfTimeShares(tree) : null), [tree, highlight]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const rulerRef = useRef<HTMLDivElement>(null);
  // The span column fits the longest name until the splitter is dragged.
  const [draggedFraction, setTreeFraction] = useState<number | null>(null);
  const sectionRef = useRef<HTMLElement>(null);
  const paneWidth = useClientSize(sectionRef, "clientWidth", 0);
  // Measured once per tree (and once more when the section first has a size): a resize only divides.
  const measured = paneWidth > 0;
  const need = useMemo(() => widestTreeRow(tree.nodes, rowTextWidth(sectionRef.current)), [tree.nodes, measured]);
  const labelWidth = useMemo(() => barLabelWidth(sectionRef.current), [measured]);
  const fitted = treeFractionFor(need, paneWidth);
  const treeFraction = draggedFraction ?? fitted;
  const timelineWidth = useClientSize(rulerRef, "clientWidth", 600);
  const view: TimeWindow = useMemo(
    () => zoom ?? { fromMs: 0, toMs: Math.max(tree.totalMs, 0.001) },
    [zoom, tree.totalMs],
  );
  const ticks = useMemo(() => rulerTicks(view, timelineWidth), [view, timelineWidth]);

  // Keep the span at the top of the view in place when a live update inserts rows above it.
  const anchor = useRef<{ spanId: string; delta: number } | null>(null);
  const shownRows = useRef(rows);
  const handledReveal = useRef(-1);
  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (!element) return;
    if (shownRows.current !== rows && anchor.current && element.scrollTop > 0) {
      const index = rowIndex(tree, rows, anchor.current.spanId);
      if (index >= 0) element.scrollTop = index * ROW_HEIGHT + anchor.current.delta;
    }
    shownRows.current = rows;
    if (reveal && reveal.seq !== handledReveal.current) {
      const index = rowIndex(tree, rows, reveal.spanId);
      if (index < 0) return; // not there yet: a later update may bring it
      handledReveal.current = reveal.seq;
      const top = index * ROW_HEIGHT;
      const height = element.clientHeight;
      if (reveal.align === "center") element.scrollTop = Math.max(0, top - height / 2 + ROW_HEIGHT / 2);
      else if (top < element.scrollTop) element.scrollTop = top;
      else if (top + ROW_HEIGHT > element.scrollTop + height) element.scrollTop = top + ROW_HEIGHT - height;
    }
  }, [rows, reveal, tree]);

  // When the view gets shorter (the trace's logs arrive under it, the window shrinks), the selected
  // span stays in view if it was.
  const latest = useRef({ tree, selectedId: props.selectedId });
  latest.current = { tree, selectedId: props.selectedId };
  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (!element) return;
    let height = element.clientHeight;
    const observer = new ResizeObserver(() => {
      const before = height;
      height = element.clientHeight;
      const { tree: shownTree, selectedId } = latest.current;
      if (height >= before || selectedId === null) return;
      const index = rowIndex(shownTree, shownRows.current, selectedId);
      if (index < 0) return;
      const top = index * ROW_HEIGHT;
      const wasInView = top >= element.scrollTop && top + ROW_HEIGHT <= element.scrollTop + before;
      if (wasInView && top + ROW_HEIGHT > element.scrollTop + height) element.scrollTop = top + ROW_HEIGHT - height;
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const onScroll = useCallback((top: number) => {
    const index = Math.floor(top / ROW_HEIGHT);
    const node = shownRows.current[index];
    anchor.current = node ? { spanId: node.spanId, delta: top - index * ROW_HEIGHT } : null;
  }, []);

  const step = view.toMs > view.fromMs ? (ticks.step / (view.toMs - view.fromMs)) * timelineWidth : 0;
  const firstTick = ticks.ticks[0] ?? 0;
  const gridOffset = ((firstTick - view.fromMs) / Math.max(view.toMs - view.fromMs, 1e-9)) * timelineWidth;
  const style = {
    "--tv-tree": `${treeFraction * 100}%`,
    "--tv-grid-step": `${step > 4 ? step : 0}px`,
    "--tv-grid-offset": `${gridOffset}px`,
  };

  // Rows are named by their place in the tree, not by span id: ids of odd spans (empty, repeated, any
  // text) would make invalid or clashing element ids. The tree keeps focus; the selected row is its
  // active descendant, so a screen reader follows j/k and the arrows.
  const rowIdPrefix = useId();
  const rowId = (node: WaterfallNode) => `${rowIdPrefix}-span-${node.index}`;
  const selectedNode = props.selectedId === null ? undefined : tree.byId.get(props.selectedId);
  const activeRow =
    selectedNode !== undefined && rowIndex(tree, rows, selectedNode.spanId) >= 0 ? rowId(selectedNode) : undefined;

  const renderRow = (index: number) => {
    const node = rows[index]!;
    const match = props.matchIds.has(node.spanId);
    const collapsed = node.hasChildren && props.collapsed.has(node.spanId);
    return (
      <WaterfallRow
        node={node}
        rowId={rowId(node)}
        collapsed={collapsed}
        hidesMatch={collapsed && props.matchAncestorIds.has(node.spanId)}
        selected={node === selectedNode}
        onPath={props.pathIds.has(node.spanId)}
        match={match}
        query={match ? props.query : ""}
        snapshotCount={props.snapshots?.get(node.spanId)?.length ?? 0}
        logMark={props.logMarks?.get(node.spanId)}
        view={view}
        timelineWidth={timelineWidth}
        labelWidth={labelWidth}
        highlight={highlight}
        critical={critical?.has(node.spanId) ?? false}
        selfShare={selfShares?.get(node.spanId) ?? 0}
        onSelect={props.onSelect}
        onToggle={props.onToggle}
      />
    );
  };

  return (
    <section class="tv-waterfall" style={style} aria-label="Span waterfall" ref={sectionRef}>
      {props.toolbar}
      <TraceMinimap tree={tree} zoom={zoom} onZoom={onZoom} />
      <div class="tv-ruler-row">
        <div class="tv-ruler-tree">
          <span>
            {rows.length === tree.nodes.length
              ? `${formatCount(rows.length)} span${rows.length === 1 ? "" : "s"}`
              : `${formatCount(rows.length)} of ${formatCount(tree.nodes.length)} spans`}
          </span>
          <Splitter onChange={setTreeFraction} />
        </div>
        <div class="tv-ruler-cell">
          <TimeRuler
            view={view}
            ticks={ticks}
            zoomed={zoom !== null}
            onZoom={onZoom}
            rootRef={rulerRef}
            widthPx={timelineWidth}
          />
        </div>
      </div>
      <VirtualList
        class="tv-list"
        count={rows.length}
        rowHeight={ROW_HEIGHT}
        overscan={12}
        renderRow={renderRow}
        rowKey={(index) => {
          const node = rows[index]!;
          return node.duplicate ? `duplicate-${index}` : node.spanId;
        }}
        scrollRef={scrollRef}
        onScroll={onScroll}
        role="tree"
        aria-label="Spans"
        aria-activedescendant={activeRow}
        tabIndex={0}
      />
    </section>
  );
}

/**
 * Text widths at the rows' font, from a canvas: the sum of each character's width, each measured once
 * (the model's estimate where there is no canvas). A trace of 50,000 spans has tens of thousands of
 * distinct names, and measuring each on the canvas took 200 ms before its first row showed; the sum
 * leaves out kerning, a pixel or two on a name, which the span column's width does not need.
 */
function rowTextWidth(element: HTMLElement | null): MeasureText | undefined {
  const context = element === null ? null : document.createElement("canvas").getContext("2d");
  if (element === null || context === null) return undefined;
  const family = getComputedStyle(element).fontFamily;
  const fonts = [false, true].map((bold) => {
    const font = `${bold ? 550 : 400} 12.5px ${family}`;
    const measure = (character: string) => {
      context.font = font;
      return context.measureText(character).width;
    };
    // ASCII by code (most names are), anything else by its code point's text.
    const ascii = new Float64Array(128).fill(-1);
    const others = new Map<string, number>();
    return (text: string) => {
      let width = 0;
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code < 128) {
          let advance = ascii[code] as number;
          if (advance < 0) {
            advance = measure(text[i] as string);
            ascii[code] = advance;
          }
          width += advance;
          continue;
        }
        const end = code >= 0xd800 && code < 0xdc00 && i + 1 < text.length ? i + 2 : i + 1;
        const character = text.slice(i, end);
        let advance = others.get(character);
        if (advance === undefined) {
          advance = measure(character);
          others.set(character, advance);
        }
        width += advance;
        i = end - 1;
      }
      return width;
    };
  });
  // Summed again for each text: a map of every text measured cost more than the sums it spared (most
  // labels of a big trace differ, and each key was a new string).
  const [regular, bold] = fonts as [(text: string) => number, (text: string) => number];
  return (text, isBold) => (isBold ? bold(text) : regular(text));
}

/** Texts measured per measurer before it starts afresh (a label per row of a 50,000-span trace at most). */
const LABEL_WIDTHS_KEPT = 10_000;

/**
 * A bar's duration label's width as the page draws it: a canvas's measure in the font a label of that
 * class has in `element` (a hidden probe), each text measured once. A label sets tabular figures, which a
 * canvas cannot: each digit is measured as the widest digit, never narrower than drawn. The estimate of
 * BAR_LABEL_CHAR_PX a character fell short by 4.5 px on "98ms" and 5 px on "100ms" in Chromium, enough
 * for a mark just past the estimated end to cross the "s".
 */
function barLabelWidth(element: HTMLElement | null): (text: string) => number {
  const estimate = (text: string) => text.length * BAR_LABEL_CHAR_PX;
  const context = element === null ? null : document.createElement("canvas").getContext("2d");
  if (element === null || context === null) return estimate;
  const probe = document.createElement("span");
  probe.className = "tv-bar-label inside";
  probe.style.visibility = "hidden";
  element.appendChild(probe);
  const style = getComputedStyle(probe);
  const font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  probe.remove();
  context.font = font;
  let widestDigit = "0";
  for (const digit of "123456789")
    if (context.measureText(digit).width > context.measureText(widestDigit).width) widestDigit = digit;
  const widths = new Map<string, number>();
  return (text) => {
    let width = widths.get(text);
    if (width === undefined) {
      if (widths.size >= LABEL_WIDTHS_KEPT) widths.clear();
      context.font = font;
      width = context.measureText(text.replace(/[0-9]/g, widestDigit)).width;
      widths.set(text, width);
    }
    return width;
  };
}

/** Drag handle between the span tree and the timeline. */
function Splitter({ onChange }: { onChange(fraction: number): void }) {
  return (
    <span
      class="tv-splitter"
      aria-hidden="true"
      title="Drag to resize the span column"
      onPointerDown={(event) => {
        const handle = event.currentTarget as HTMLElement;
        const container = handle.closest(".tv-waterfall") as HTMLElement | null;
        if (!container) return;
        handle.setPointerCapture(event.pointerId);
        const move = (e: PointerEvent) => {
          const rect = container.getBoundingClientRect();
          onChange(Math.min(0.75, Math.max(0.15, (e.clientX - rect.left) / rect.width)));
        };
        const up = () => {
          handle.removeEventListener("pointermove", move);
          handle.removeEventListener("pointerup", up);
        };
        handle.addEventListener("pointermove", move);
        handle.addEventListener("pointerup", up);
        event.preventDefault();
      }}
    />
  );
}
