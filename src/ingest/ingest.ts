import { isOwnCallSpan, type OwnAddress } from "../domain/own-calls.js";
import type { Span } from "../domain/span.js";
import type { LiveHub } from "../live/hub.js";
import type { SliceWrites } from "../otlp/limits.js";
import type { InsertOptions, InsertResult, Store } from "../store/store.js";
import type { ServiceColors } from "./service-colors.js";

export interface IngestEvents {
  /**
   * The first span from a service neither in the store when spans first came (a `--db` file's services
   * are not new after a restart) nor seen since (or since the store was cleared).
   */
  newService?(service: string): void;
}

export interface IngestOptions {
  /** Where this server is reached, to recognise spans of an SDK's own calls to it (see `isOwnCallSpan`). */
  ownAddress?: OwnAddress;
  /** The store's retention bound, named in the notice about late spans of evicted traces. */
  maxSpans?: number;
  /** Told of every service stored, so each keeps one colour on every page. */
  serviceColors?: ServiceColors;
}

export interface IngestCounts {
  /** Spans of SDKs' own calls to this server (exports, health probes), dropped instead of stored. */
  ownCallSpans: number;
  /** Spans that arrived after their trace was evicted, dropped (see `InsertResult.lateSpans`). */
  lateSpans: number;
}

export interface Ingest {
  spans(spans: readonly Span[], options?: InsertOptions): InsertResult;
  /** The store's batch writes for inserts `writeLater` (see Store.writeDue); absent for a store without. */
  readonly writes: SliceWrites | undefined;
  /** Whether `spans` of `count` spans now would refuse none and wait for nothing (see `Store.takesWhole`). */
  takesWhole(count: number): boolean;
  /**
   * Resolves once every span accepted so far is in the store's file (at once without one); with a
   * `commitMark()` taken before them, rejects when a failed commit rolled them back since.
   */
  committed(mark?: number): Promise<void>;
  commitMark(): number | undefined;
  /** Forgets which services were seen, after the store was cleared. */
  reset(): void;
  counts(): IngestCounts;
}

/** The receiver writes through this; it does not own the store or the hub. */
export function createIngest(
  store: Store,
  hub: LiveHub,
  events: IngestEvents = {},
  options: IngestOptions = {},
): Ingest {
  const seenServices = new Set<string>();
  /** Whether the store's own services are in seenServices yet: read at the first insert, not at start-up. */
  let storedServicesSeen = false;
  const { ownAddress, serviceColors } = options;
  let ownCallSpans = 0;
  let lateSpans = 0;
  // Retention removes traces on insert, or at a later commit: open lists are told which left.
  store.onEvicted?.((traceIds) => hub.tracesEvicted(traceIds));
  const publishLateSpans = () =>
    hub.publishState("late-spans", () => ({ type: "late-spans", lateSpans, maxSpans: options.maxSpans ?? 0 }));

  function withoutOwnCalls(spans: readonly Span[]): readonly Span[] {
    if (ownAddress === undefined) return spans;
    let kept: Span[] | null = null;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i] as Span;
      if (isOwnCallSpan(span, ownAddress)) {
        kept ??= spans.slice(0, i);
        ownCallSpans++;
      } else if (kept !== null) {
        kept.push(span);
      }
    }
    return kept ?? spans;
  }

  return {
    spans(received, insertOptions) {
      const spans = withoutOwnCalls(received);
      if (spans.length === 0)
        return {
          inserted: 0,
          duplicateSpans: 0,
          changedTraceIds: [],
          storedTraceIds: [],
          lateSpans: 0,
          rejectedSpans: 0,
        };
      if (events.newService !== undefined) {
        if (!storedServicesSeen) {
          storedServicesSeen = true;
          for (const service of store.listServices()) seenServices.add(service.name);
        }
        for (const span of spans) {
          if (!seenServices.has(span.service)) {
            seenServices.add(span.service);
            events.newService(span.service);
          }
        }
      }
      serviceColors?.seeAll(spans);
      const result = store.insertSpans(spans, insertOptions);
      hub.tracesChanged(result.changedTraceIds);
      if (result.lateSpans > 0) {
        lateSpans += result.lateSpans;
        publishLateSpans();
      }
      return result;
    },
    writes:
      store.writeDue !== undefined && store.writePending !== undefined
        ? { due: store.writeDue.bind(store), write: store.writePending.bind(store) }
        : undefined,
    takesWhole(count) {
      return store.takesWhole?.(count) ?? false;
    },
    committed(mark) {
      return store.committed?.(mark) ?? Promise.resolve();
    },
    commitMark: () => store.commitMark?.(),
    reset() {
      seenServices.clear();
      storedServicesSeen = false;
      if (lateSpans > 0) {
        lateSpans = 0;
        publishLateSpans();
      }
    },
    counts() {
      return { ownCallSpans, lateSpans };
    },
  };
}
