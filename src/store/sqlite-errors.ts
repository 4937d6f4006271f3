/**
 * The SQLite store's error groups: the same in-memory `ErrorGroups` as the memory store, plus what
 * rebuilds it after a restart, in tables of its own (`err_*`, version in `error_schema`): one row per
 * group (its fingerprint and latest sample) and one small row per error (group, time, trace, span, the
 * failing span's operation, and its telling of a request when it is an entry span, so that a request
 * told twice counts once again after a reopen).
 * Rows ride the span store's commits; an evicted trace's errors leave in the same transaction as its
 * spans. Reading them back at open costs what the errors cost, not what all spans cost.
 */
import type { Span, SpanKind } from "../domain/span.js";
import { runToEnd } from "../domain/steps.js";
import { migrateCompanion } from "./companion-schema.js";
import {
  type ErrorGroupQuery,
  ErrorGroups,
  type ErrorGroupsAnswer,
  type ErrorTelling,
  type FailedOperation,
  failedOperationOf,
  type StoredErrorGroup,
  tellingOf,
} from "./error-groups.js";
import { type LoadSteps, ROWS_PER_STEP } from "./load-steps.js";
import type { CommitParticipant, GroupCommit } from "./sqlite-group-commit.js";
import { decodeJson } from "./sqlite-json.js";
import { SPAN_SLOTS, type SqliteDatabase } from "./sqlite-schema.js";
import { fromStoredNs, toStoredNs } from "./sqlite-span-codec.js";
import type { StoredTraces, TraceEntry } from "./sqlite-traces.js";

const ERROR_SCHEMA = {
  versionTable: "error_schema",
  what: "error group",
  migrations: [
    `
    -- body: JSON [service, kind, type, pattern, frames, message, stacktrace, trace_id, span_id, time_ns as text]
    CREATE TABLE err_groups (id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL UNIQUE, body TEXT NOT NULL);
    -- One row per error; trace_seq is its trace's arrival number (retention deletes the lowest).
    CREATE TABLE err_events (
      id INTEGER PRIMARY KEY,
      trace_seq INTEGER NOT NULL,
      group_id INTEGER NOT NULL,
      time_ns INTEGER NOT NULL,
      trace_id TEXT NOT NULL,
      span_id TEXT NOT NULL
    );
    CREATE INDEX err_events_by_trace ON err_events (trace_seq);
    `,
    `
    -- JSON [kind, name, peer]: the failing span's operation; NULL in rows written before it was kept.
    ALTER TABLE err_events ADD COLUMN failed_in TEXT;
    `,
    `
    -- JSON [kind, parent_span_id, start_ms, end_ms] of an entry span, JSON null of any other span;
    -- NULL in rows written before it was kept.
    ALTER TABLE err_events ADD COLUMN telling TEXT;
    `,
    `
    -- Messages are grouped by new rules (prefixed ids, ULIDs, IP addresses): the groups are made again
    -- from the file's spans at this open (REGROUPED_AT), emptied and filled in one transaction.
    SELECT 1;
    `,
  ],
};

/** The version from which the groups were made by the rules of now; a file's from before are made again. */
const REGROUPED_AT = 4;

type FailedInBody = [kind: SpanKind, name: string, peer: string | null];

type TellingBody = [kind: ErrorTelling["kind"], parentSpanId: string | null, startMs: number, endMs: number] | null;

type GroupBody = [
  service: string,
  kind: StoredErrorGroup["kind"],
  type: string,
  pattern: string,
  frames: string[],
  message: string,
  stacktrace: string,
  traceId: string,
  spanId: string,
  timeNs: string,
];

interface PendingEvent {
  traceSeq: number;
  fingerprint: string;
  time: bigint;
  traceId: string;
  spanId: string;
  failedIn: FailedOperation;
  telling: ErrorTelling | null;
}

export interface SqliteErrorGroupsDeps {
  db: SqliteDatabase;
  traces: StoredTraces;
  commits: GroupCommit;
  /** A stored trace's spans (for filling the tables from a file written before they existed). */
  getTrace(traceId: string): Span[] | undefined;
  /** Whether the span store's memory is not what the file holds (its read after a rollback failed): nothing is written then. */
  unread?(): boolean;
}

export class SqliteErrorGroups implements CommitParticipant {
  private readonly groups = new ErrorGroups();
  /** Row id of each group's row, by fingerprint. */
  private readonly groupIds = new Map<string, number>();
  private nextGroupId = 1;
  /** Groups to (re)write: new, or with a newer sample. */
  private dirtyGroups = new Map<string, StoredErrorGroup>();
  private deletedGroupIds: number[] = [];
  private pendingEvents: PendingEvent[] = [];
  /** Errors of traces up to this arrival number leave the file at the next write. */
  private evictedUpTo = 0;
  private readonly stmts;
  /** Whether the groups are made from the file's spans at open (see fillFromSpans). */
  private readonly fillAtOpen: boolean;

  constructor(private readonly deps: SqliteErrorGroupsDeps) {
    const { db } = deps;
    const created = Number(
      db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'error_schema'").pluck().safeIntegers(false).get(),
    );
    const versionBefore =
      created === 0
        ? 0
        : Number(db.prepare("SELECT version FROM error_schema WHERE id = 1").pluck().safeIntegers(false).get() ?? 0);
    migrateCompanion(db, ERROR_SCHEMA);
    this.stmts = {
      allGroups: db.prepare("SELECT id, fingerprint, body FROM err_groups").raw().safeIntegers(false),
      eventsAfter: db
        .prepare(
          "SELECT id, group_id, time_ns, trace_id, span_id, failed_in, telling FROM err_events WHERE id > ? ORDER BY id LIMIT ?",
        )
        .raw(),
      groupUpsert: db.prepare(
        "INSERT INTO err_groups (id, fingerprint, body) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body",
      ),
      groupDelete: db.prepare("DELETE FROM err_groups WHERE id = ?"),
      eventInsert: db.prepare(
        "INSERT INTO err_events (trace_seq, group_id, time_ns, trace_id, span_id, failed_in, telling) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      eventFromSpan: db.prepare("UPDATE err_events SET failed_in = ?, telling = ? WHERE id = ?"),
      eventsDeleteUpTo: db.prepare("DELETE FROM err_events WHERE trace_seq <= ?"),
      clear: () => db.exec("DELETE FROM err_events; DELETE FROM err_groups;"),
      failingSpanKeys: db
        .prepare("SELECT id FROM spans WHERE status_code = 2 OR instr(body, '\"exception\"') > 0")
        .pluck()
        .safeIntegers(false),
    };
    // Filled from the spans: a file from before the tables, or one whose groups were made by older rules.
    this.fillAtOpen = created === 0 || versionBefore < REGROUPED_AT;
  }

  /**
   * Reads the groups from the file, in steps; or makes them from its spans, once, for a file from
   * before them or from before the rules of now.
   */
  *opening(): LoadSteps {
    if (this.fillAtOpen) this.fillFromSpans();
    else yield* this.loading();
    this.deps.commits.join(this);
    this.deps.traces.onEvicted = (entries) => this.evicted(entries);
  }

  /** Adds the errors of a span just accepted into `trace`. */
  addSpan(span: Span, trace: TraceEntry): void {
    const traceSeq = trace.seq;
    for (const added of this.groups.addSpan(span, trace.aggregate)) {
      const { group } = added;
      if (added.newGroup) this.groupIds.set(group.fingerprint, this.nextGroupId++);
      // The sample of a new error is the newest: the group's row is written again.
      if (group.sample.spanId === added.spanId && group.sample.timeUnixNano === added.timeUnixNano) {
        this.dirtyGroups.set(group.fingerprint, group);
      }
      this.pendingEvents.push({
        traceSeq,
        fingerprint: group.fingerprint,
        time: added.timeUnixNano,
        traceId: added.traceId,
        spanId: added.spanId,
        failedIn: added.failedIn,
        telling: added.telling,
      });
    }
  }

  /** See ErrorGroups.query. */
  query(
    query: ErrorGroupQuery,
    readTrace: (traceId: string) => Span[] | undefined,
    leaving?: ReadonlySet<string>,
  ): ErrorGroupsAnswer {
    return this.groups.query(query, readTrace, leaving);
  }

  /** Retention removed these traces (inside the commit that deletes their spans). */
  private evicted(entries: readonly TraceEntry[]): void {
    for (const entry of entries) {
      if (entry.seq > this.evictedUpTo) this.evictedUpTo = entry.seq;
      for (const group of this.groups.removeTrace(entry.traceId)) {
        const id = this.groupIds.get(group.fingerprint);
        this.groupIds.delete(group.fingerprint);
        this.dirtyGroups.delete(group.fingerprint);
        if (id !== undefined) this.deletedGroupIds.push(id);
      }
    }
    const upTo = this.evictedUpTo;
    this.pendingEvents = this.pendingEvents.filter((event) => event.traceSeq > upTo);
  }

  hasPending(): boolean {
    if (this.deps.unread?.() === true) return false;
    return this.pendingEvents.length > 0 || this.deletedGroupIds.length > 0 || this.evictedUpTo > 0;
  }

  /** Runs inside the group's transaction, after the span writer (which applied retention). */
  write(): void {
    // What is pending may belong to traces a rollback lost: it is read again with them first.
    if (this.deps.unread?.() === true) return;
    const { stmts } = this;
    if (this.evictedUpTo > 0) stmts.eventsDeleteUpTo.run(this.evictedUpTo);
    for (const id of this.deletedGroupIds) stmts.groupDelete.run(id);
    for (const group of this.dirtyGroups.values()) {
      const id = this.groupIds.get(group.fingerprint);
      if (id !== undefined) stmts.groupUpsert.run(id, group.fingerprint, JSON.stringify(groupBody(group)));
    }
    for (const event of this.pendingEvents) {
      const id = this.groupIds.get(event.fingerprint);
      if (id === undefined) continue;
      stmts.eventInsert.run(
        event.traceSeq,
        id,
        toStoredNs(event.time),
        event.traceId,
        event.spanId,
        JSON.stringify(failedInBody(event.failedIn)),
        JSON.stringify(tellingBody(event.telling)),
      );
    }
    this.evictedUpTo = 0;
    this.deletedGroupIds = [];
    this.dirtyGroups = new Map();
    this.pendingEvents = [];
  }

  /** The span store reads the groups back after its traces (`reload`): they are read from those traces. */
  rolledBack(): void {}

  /** (Re)reads the groups from the file, once the traces are read (after a rollback). */
  reload(): void {
    this.load();
  }

  /** Empties the tables (the span store's clear, inside its transaction) and memory. */
  clear(): void {
    this.stmts.clear();
    this.load();
  }

  /** (Re)reads the groups and their errors from the file; errors of traces no longer stored are skipped. */
  private load(): void {
    runToEnd(this.loading());
  }

  private *loading(): LoadSteps {
    this.groups.clear();
    this.groupIds.clear();
    this.dirtyGroups = new Map();
    this.deletedGroupIds = [];
    this.pendingEvents = [];
    this.evictedUpTo = 0;
    this.nextGroupId = 1;
    const fingerprints = new Map<number, string>();
    let groupRows = 0;
    for (const [id, fingerprint, text] of this.stmts.allGroups.iterate() as Iterable<[number, string, string]>) {
      if (++groupRows % ROWS_PER_STEP === 0) yield;
      const [service, kind, type, pattern, frames, message, stacktrace, traceId, spanId, timeNs] =
        decodeJson<GroupBody>(text);
      this.groups.restoreGroup({
        fingerprint,
        service,
        kind,
        type,
        pattern,
        frames,
        sample: { message, stacktrace, traceId, spanId, timeUnixNano: BigInt(timeNs) },
      });
      this.groupIds.set(fingerprint, id);
      fingerprints.set(id, fingerprint);
      if (id >= this.nextGroupId) this.nextGroupId = id + 1;
    }
    const entries = this.deps.traces.entries;
    const rows = this.eventRows();
    let stale = false;
    /** Rows written before the failing span's operation or its telling were kept: read from their spans, once. */
    const unnamed: { id: bigint; failedIn: FailedOperation | null; telling: ErrorTelling | null }[] = [];
    const spansOf = new Map<string, Map<string, Span>>();
    let read = 0;
    for (const [eventId, groupId, timeNs, traceId, spanId, failedInText, tellingText] of rows) {
      if (++read % ROWS_PER_STEP === 0) yield;
      const fingerprint = fingerprints.get(Number(groupId));
      const entry = entries.get(traceId);
      if (fingerprint === undefined || entry === undefined) {
        stale = true;
        continue;
      }
      let failedIn: FailedOperation | null = null;
      if (failedInText !== null) {
        const [kind, name, peer] = decodeJson<FailedInBody>(failedInText);
        failedIn = { kind, name, peer };
      }
      let telling: ErrorTelling | null = null;
      if (tellingText !== null) {
        const body = decodeJson<TellingBody>(tellingText);
        if (body !== null) telling = { kind: body[0], parentSpanId: body[1], startMs: body[2], endMs: body[3] };
      }
      if (failedInText === null || tellingText === null) {
        let spans = spansOf.get(traceId);
        if (spans === undefined) {
          spans = new Map((this.deps.getTrace(traceId) ?? []).map((span) => [span.spanId, span]));
          spansOf.set(traceId, spans);
        }
        const span = spans.get(spanId);
        if (span !== undefined) {
          failedIn ??= failedOperationOf(span);
          telling = tellingOf(span);
          unnamed.push({ id: eventId, failedIn, telling });
        }
      }
      this.groups.restoreError(fingerprint, fromStoredNs(timeNs), spanId, entry.aggregate, failedIn, telling);
    }
    if (unnamed.length > 0) {
      this.deps.db.transaction(() => {
        for (const row of unnamed) {
          const failedIn = row.failedIn === null ? null : JSON.stringify(failedInBody(row.failedIn));
          this.stmts.eventFromSpan.run(failedIn, JSON.stringify(tellingBody(row.telling)), row.id);
        }
      })();
    }
    // Rows of traces evicted without them (a smaller --max-spans applied at open) leave at the next write.
    if (stale) {
      const first = entries.values().next().value;
      this.evictedUpTo = (first?.seq ?? this.deps.traces.nextSeq) - 1;
      for (const group of this.groups.dropEmptyGroups()) {
        const id = this.groupIds.get(group.fingerprint);
        this.groupIds.delete(group.fingerprint);
        if (id !== undefined) this.deletedGroupIds.push(id);
      }
    }
  }

  /**
   * Every error row, in pages each read whole before its rows are restored: restoring an old row reads
   * its trace, which a running iteration forbids; and a start reading a large file back gives the
   * event loop back between rows (see load-steps.ts), which one read of them all would not.
   */
  private *eventRows(): Generator<EventRow> {
    for (let after = 0n; ; ) {
      const page = this.stmts.eventsAfter.all(after, EVENTS_PER_READ) as EventRow[];
      yield* page;
      if (page.length < EVENTS_PER_READ) return;
      after = (page.at(-1) as EventRow)[0];
    }
  }

  /**
   * A file written before error groups were kept, or by older rules of grouping: its failing spans are
   * read once (rows whose status is ERROR or whose JSON names an exception) and their errors written.
   */
  private fillFromSpans(): void {
    const seqs = new Set<number>();
    for (const key of this.stmts.failingSpanKeys.iterate() as Iterable<number>) seqs.add(Math.floor(key / SPAN_SLOTS));
    if (seqs.size === 0) {
      this.deps.db.transaction(() => this.stmts.clear())();
      return;
    }
    for (const entry of this.deps.traces.entries.values()) {
      if (!seqs.has(entry.seq)) continue;
      for (const span of this.deps.getTrace(entry.traceId) ?? []) this.addSpan(span, entry);
    }
    // The rows of older rules go in the transaction that writes these: a stop between the two leaves
    // the old groups, never none.
    this.deps.db.transaction(() => {
      this.stmts.clear();
      this.write();
    })();
  }
}

/** An err_events row: id, group id, time, trace id, span id, failed_in and telling (JSON or null). */
type EventRow = [bigint, bigint, bigint, string, string, string | null, string | null];

/** Error rows read at a time at open (see eventRows). */
const EVENTS_PER_READ = 512;

function failedInBody(operation: FailedOperation): FailedInBody {
  return [operation.kind, operation.name, operation.peer];
}

function tellingBody(telling: ErrorTelling | null): TellingBody {
  return telling === null ? null : [telling.kind, telling.parentSpanId, telling.startMs, telling.endMs];
}

function groupBody(group: StoredErrorGroup): GroupBody {
  const { sample } = group;
  return [
    group.service,
    group.kind,
    group.type,
    group.pattern,
    group.frames,
    sample.message,
    sample.stacktrace,
    sample.traceId,
    sample.spanId,
    sample.timeUnixNano.toString(),
  ];
}
