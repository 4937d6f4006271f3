import { LOG_COUNT_BOUND, type LogRecord, type LogSeverity, type StoredLog } from "../domain/log.js";

export interface LogQuery {
  /** Only records from this service (resource `service.name`). */
  service?: string;
  /** Only records at least this severe (WARN: WARN, ERROR and FATAL). */
  minSeverity?: LogSeverity;
  /** Case-insensitive text in the body or an attribute value. */
  q?: string;
  traceId?: string;
  spanId?: string;
  /** Only records whose time is >= this. */
  sinceUnixNano?: bigint;
  /** Only records whose time is <= this. */
  untilUnixNano?: bigint;
  limit: number;
  /** Opaque, from a previous page's `nextCursor` (of the same order). */
  cursor?: string;
  /** "desc": newest first (the default); "asc": oldest first. Ties in time go by arrival. */
  order: "asc" | "desc";
  /**
   * Only records that arrived after the one numbered this, in arrival order (oldest first): `order`
   * and `cursor` do not apply, and the next page starts after the page's last record. What a client
   * that was told of records it was not sent (a live message's `omitted`) reads them by.
   */
  afterSeq?: number;
  /**
   * Count the records that match (`LogPage.matched`) while no more than LOG_COUNT_BUDGET match in all,
   * whatever the limit; a trace's are always counted.
   */
  count?: boolean;
}

/**
 * The most matches a counted query (`LogQuery.count`) counts, its page's included: the same bound for
 * any limit, so that a recount of one record answers as the first page of 200 did. Reading the records
 * that do not match costs what a search that fills no page costs already (the store reads on until the
 * page has one more match, or the records end); the matches past the page are what counting adds,
 * each decoded and checked.
 */
export const LOG_COUNT_BUDGET = LOG_COUNT_BOUND;

export interface LogPage {
  logs: StoredLog[];
  /** Present when more records may follow. */
  nextCursor?: string;
  /**
   * How many records match the query from its cursor on (all of them without one): always for a
   * trace (`traceId`, with any other filter), whose records the store reads whole from its trace index
   * for every page anyway, whatever the cursor; with `count`, while no more than LOG_COUNT_BUDGET
   * match in all.
   */
  matched?: number;
}

/** What a log store's file holds as it opens. */
export interface HeldLogs {
  logs: number;
  evictedLogs: number;
}

export interface LogStoreStats {
  logs: number;
  maxLogs: number;
  /** Records dropped past `maxLogs`, oldest arrival first, since the store was created (not reset by clear). */
  evictedLogs: number;
}

export interface LogInsertResult {
  /** The records stored by this call and still stored afterwards, with their numbers, in order. */
  stored: StoredLog[];
  /**
   * Records of an import stored before (see `recordsStoredBefore`): not stored again. Of a slice, less
   * the records of the request's earlier slices that it stored after all, their stored copy evicted
   * (see `StoredBefore.take`), so a slice's may be negative; a request's slices add up to its count.
   */
  duplicates: number;
}

/** How `insertLogs` takes a request's records. */
export interface LogInsertOptions {
  /**
   * The whole request when the records are one slice of it (a large request is stored in slices): it
   * is judged once, as a whole, at its first slice, against what was stored before it, and each slice
   * stores those of its records the verdict found new, and those whose stored copy is evicted by the
   * time the slice is stored. Without it the records are the request.
   */
  request?: readonly LogRecord[];
  /**
   * Whether the request may hold records stored before, to be judged record by record (see
   * `recordsStoredBefore`; default true): a file imported again, or files that overlap. False for an
   * application's exporter, whose requests are stored whole: a loop logging one line makes records
   * that cannot be told from ones stored before, and an exporter only resends after an answer it did
   * not get.
   */
  mayBeSentAgain?: boolean;
}

/**
 * Where log records live. Each stored record gets a number on arrival, unique for the life of the
 * store (and of its file), which is its id and breaks ties in time. Reads always see every record an
 * earlier `insertLogs` accepted; past `maxLogs` the records that arrived first are evicted. Of a request
 * that may be sent again (an import), each record equal to a stored record of its own is not stored
 * twice (`recordsStoredBefore`), and the others are stored; any other request is stored whole.
 */
export interface LogStore {
  readonly kind: "memory" | "sqlite";
  /** Stores the records in order, but those of an import stored before (see LogInsertOptions). */
  insertLogs(records: readonly LogRecord[], options?: LogInsertOptions): LogInsertResult;
  listLogs(query: LogQuery): LogPage;
  /** The record with this number while it is stored (a deep link to one record, wherever it sits in the list). */
  getLog(seq: number): StoredLog | undefined;
  /**
   * Every service with a record stored, by name (code-point order): what a service filter offers.
   * Kept on insert; eviction and clear need no scan (see log-services.ts).
   */
  logServices(): string[];
  /**
   * Resolves once every record accepted so far is committed to the store's file; absent without a
   * file. With a `commitMark()` (see Store.committed), rejects when a commit failed since it was taken.
   */
  committed?(mark?: number): Promise<void>;
  commitMark?(): number;
  clear(): void;
  stats(): LogStoreStats;
  /**
   * The number the last record to arrive was given (0 before any), evicted or cleared since or not:
   * a client that starts to watch new records reads those after it (`afterSeq`) when it missed some.
   */
  lastSeq(): number;
  /** Flushes anything pending and releases resources; the store is unusable afterwards. */
  close(): void;
}

/**
 * The default bound, chosen like DEFAULT_MAX_SPANS: bench/logs.mjs measures ~430 bytes of RSS per
 * record held by the memory store (a 50-character body, five attributes, trace context; 1M records:
 * ~505 MB with the process's ~75 MB idle), so 200k records add ~90 MB beside the spans' ~175 MB.
 */
export const DEFAULT_MAX_LOGS = 200_000;

export const DEFAULT_LOG_LIMIT = 100;
export const MAX_LOG_LIMIT = 1000;
