import type { ComponentChild, JSX, RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { useClientSize } from "../lib/use-client-size";
import { visibleRange } from "../lib/virtual-range";

export interface VirtualListProps {
  count: number;
  /** Every row has this height in CSS pixels; fixed heights keep scrolling O(visible rows). */
  rowHeight: number;
  renderRow(index: number): ComponentChild;
  /** A stable key per row (e.g. its id), so a row's element follows its item when items move. */
  rowKey?(index: number): string | number;
  /** Rows rendered beyond each edge of the viewport, so fast scrolling shows no blank rows. */
  overscan?: number;
  /** When this changes, that row is scrolled into view (keyboard selection). */
  scrollToIndex?: number | null;
  onScroll?(scrollTop: number): void;
  scrollRef?: RefObject<HTMLDivElement>;
  class?: string;
  role?: JSX.AriaRole;
  "aria-label"?: string;
  "aria-activedescendant"?: string;
  tabIndex?: number;
  onKeyDown?(event: KeyboardEvent): void;
  onPointerEnter?(event: PointerEvent): void;
  onPointerLeave?(event: PointerEvent): void;
}

/** A scrolling list that renders only the rows in view: 10k or 100k rows cost the same. */
export function VirtualList(props: VirtualListProps) {
  const { count, rowHeight, overscan = 8 } = props;
  const ownRef = useRef<HTMLDivElement>(null);
  const ref = props.scrollRef ?? ownRef;
  const [scrollTop, setScrollTop] = useState(0);
  const height = useClientSize(ref, "clientHeight", 600);

  useEffect(() => {
    const element = ref.current;
    const index = props.scrollToIndex;
    if (!element || index === null || index === undefined || index < 0) return;
    const top = index * rowHeight;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + rowHeight > element.scrollTop + element.clientHeight) {
      element.scrollTop = top + rowHeight - element.clientHeight;
    }
  }, [props.scrollToIndex, rowHeight, ref]);

  const { start, end } = visibleRange(scrollTop, height, rowHeight, count, overscan);
  const rows: ComponentChild[] = [];
  for (let i = start; i < end; i++) {
    rows.push(
      <div key={props.rowKey ? props.rowKey(i) : i} class="vrow" style={{ top: i * rowHeight, height: rowHeight }}>
        {props.renderRow(i)}
      </div>,
    );
  }

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: the caller gives the role (listbox, tree)
    // biome-ignore lint/a11y/useAriaPropsSupportedByRole: the caller gives the role (listbox, tree)
    <div
      ref={ref}
      class={`vlist ${props.class ?? ""}`}
      role={props.role}
      aria-label={props["aria-label"]}
      aria-activedescendant={props["aria-activedescendant"]}
      tabIndex={props.tabIndex}
      onKeyDown={props.onKeyDown}
      onPointerEnter={props.onPointerEnter}
      onPointerLeave={props.onPointerLeave}
      onScroll={(event) => {
        const top = (event.currentTarget as HTMLDivElement).scrollTop;
        setScrollTop(top);
        props.onScroll?.(top);
      }}
    >
      <div class="vlist-spacer" style={{ height: count * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}
