import type { RefObject } from "preact";
import { useCallback, useRef, useState } from "preact/hooks";

export interface HeldListOptions {
  rowHeight: number;
  scrollRef: RefObject<HTMLDivElement>;
  /**
   * Puts the held-back items on screen. `asked`: the reader asked for them ("N new", Resume), rather
   * than reaching the top or leaving the list, which a list that cannot show them in place may ignore.
   */
  release(asked: boolean): void;
  /** Loads the next (older) page; called near the bottom. */
  loadMore(): void;
  /** The reader holds a row (has it open): new items wait until they ask for them. */
  reading?(): boolean;
}

export interface HeldList {
  /** New items must wait: the reader is scrolled down, pointing at the list, or has paused. */
  holding(): boolean;
  paused: boolean;
  pause(): void;
  /** Shows the held-back items (and resumes), scrolled to the top. */
  showNew(): void;
  onScroll(scrollTop: number): void;
  /** Tells the list where the pointer is; leaving it shows what was held back (unless paused). */
  setPointerInside(inside: boolean): void;
}

/**
 * When a live list may take new items without moving rows under the reader (ARCHITECTURE.md, "The
 * web app"): not while scrolled down, while the pointer rests on it (a click would hit another row),
 * while a row is open (`reading`), or while paused. Reaching the top again or leaving the list
 * releases what was held (unless paused or reading); "N new" and Resume always do.
 */
export function useHeldList({ rowHeight, scrollRef, release, loadMore, reading }: HeldListOptions): HeldList {
  const [paused, setPaused] = useState(false);
  const atTop = useRef(true);
  const pointerInside = useRef(false);

  const onScroll = useCallback(
    (top: number) => {
      const wasAtTop = atTop.current;
      atTop.current = top < rowHeight / 2;
      if (atTop.current && !wasAtTop && !paused && !reading?.()) release(false);
      const element = scrollRef.current;
      if (element && top + element.clientHeight > element.scrollHeight - rowHeight * 10) loadMore();
    },
    [paused, release, loadMore, rowHeight, scrollRef, reading],
  );

  const showNew = useCallback(() => {
    setPaused(false);
    release(true);
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
    atTop.current = true;
  }, [release, scrollRef]);

  return {
    holding: () => paused || !atTop.current || pointerInside.current || reading?.() === true,
    paused,
    pause: () => setPaused(true),
    showNew,
    onScroll,
    setPointerInside(inside: boolean) {
      pointerInside.current = inside;
      if (!inside && atTop.current && !paused && !reading?.()) release(false);
    },
  };
}
