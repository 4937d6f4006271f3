import { type MutableRef, useCallback, useEffect, useRef, useState } from "preact/hooks";

export interface Page<T> {
  items: readonly T[];
  /** Pass back for the next (older) page; absent on the last one. */
  nextCursor?: string | undefined;
}

export interface PagedListOptions<T> {
  /** The list is loaded afresh whenever this changes (other filters, a reconnection). */
  key: string;
  fetchPage(cursor: string | undefined, signal?: AbortSignal): Promise<Page<T>>;
  /** The first page arrived: replace what is shown, then place the live items that came meanwhile. */
  onFirstPage(items: readonly T[], arrivedMeanwhile: readonly T[]): void;
  /** An older page arrived, asked for by scrolling. */
  onOlderPage(items: readonly T[]): void;
  rerender(): void;
}

export interface PagedList<T> {
  loading: boolean;
  error: string | null;
  setError(message: string | null): void;
  /** The cursor of the next older page; a list that drops its oldest rows may move it back. */
  nextCursor: MutableRef<string | undefined>;
  /** Asks for the next older page: false when there is none, or one is already on its way. */
  loadMore(): boolean;
  /** While the first page is on its way, live items wait for it (true: they were taken). */
  deferWhileLoading(items: readonly T[]): boolean;
}

const message = (reason: unknown) => (reason instanceof Error ? reason.message : String(reason));

/**
 * The loading half of a live list: the first page for `key`, older pages on request, and the live
 * items that arrive while the first page is on its way, handed over with it so none is lost.
 */
export function usePagedList<T>(options: PagedListOptions<T>): PagedList<T> {
  const latest = useRef(options);
  latest.current = options;
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const nextCursor = useRef<string | undefined>(undefined);
  const loadingMore = useRef(false);
  const arrivedWhileLoading = useRef<T[] | null>(null);
  /** Changes with every load of a first page: what an older load brings back then is dropped. */
  const load = useRef(0);

  useEffect(() => {
    const controller = new AbortController();
    const thisLoad = ++load.current;
    setLoading(true);
    setError(null);
    arrivedWhileLoading.current = [];
    // The older pages of what was shown before are not this list's.
    nextCursor.current = undefined;
    loadingMore.current = false;
    latest.current.fetchPage(undefined, controller.signal).then(
      (page) => {
        // Replaced (or unmounted): a fetch may still answer, e.g. with what it found before the abort.
        if (controller.signal.aborted || thisLoad !== load.current) return;
        nextCursor.current = page.nextCursor;
        latest.current.onFirstPage(page.items, arrivedWhileLoading.current ?? []);
        arrivedWhileLoading.current = null;
        setLoading(false);
        latest.current.rerender();
      },
      (reason: unknown) => {
        if (controller.signal.aborted || thisLoad !== load.current) return;
        arrivedWhileLoading.current = null;
        setError(message(reason));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [options.key]);

  const loadMore = useCallback(() => {
    const cursor = nextCursor.current;
    if (cursor === undefined || loadingMore.current) return false;
    loadingMore.current = true;
    const forLoad = load.current;
    latest.current
      .fetchPage(cursor)
      .then((page) => {
        // The list was loaded afresh meanwhile (other filters, a reconnection): this page is of the old one.
        if (forLoad !== load.current) return;
        // Free before the page is shown: the render it brings may ask for the next one at once (a
        // linked record further down), and a call while this one still counted as loading did nothing.
        loadingMore.current = false;
        nextCursor.current = page.nextCursor;
        latest.current.onOlderPage(page.items);
        latest.current.rerender();
      })
      .catch((reason: unknown) => {
        if (forLoad !== load.current) return;
        loadingMore.current = false;
        setError(message(reason));
      });
    return true;
  }, []);

  const deferWhileLoading = useCallback((items: readonly T[]) => {
    if (arrivedWhileLoading.current === null) return false;
    arrivedWhileLoading.current.push(...items);
    return true;
  }, []);

  return { loading, error, setError, nextCursor, loadMore, deferWhileLoading };
}
