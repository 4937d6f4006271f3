import { pathKeysOf } from "../domain/attribute-paths.js";
import { operationNameTexts } from "../domain/operation.js";
import { numberOfText, parseQuery, type QueryNode } from "../domain/query.js";
import { forEachSearchPart, searchTextOf } from "../domain/search.js";
import { aliasReadsOf } from "../domain/semconv-aliases.js";
import type { PeerNames } from "../domain/service-map.js";
import {
  type Attributes,
  type InstrumentationScope,
  SPAN_KINDS,
  type Span,
  type SpanEvent,
  type SpanKind,
  STATUS_CODES,
} from "../domain/span.js";
import type { CallingSpan } from "../domain/trace-calls.js";
import { CATALOG_SAMPLE_SPANS, RecentSpans } from "./attribute-catalog.js";
import type { SummaryFilterFields } from "./query-match.js";
import { callsAllow, compileSpanQuery, type QueryableSpan, requirementsOf } from "./span-query.js";
import { decodeJson, isJsonVerbatim } from "./sqlite-json.js";
import { SPAN_SLOTS, type SqliteDatabase } from "./sqlite-schema.js";
import { fromStoredNs } from "./sqlite-span-codec.js";
import type { BlockNeed, TraceBounds } from "./trace-blocks.js";
import { bloomAllows, buildBloom } from "./trace-blooms.js";
import { createTraceCallCache, type TraceWithCalls } from "./trace-calls.js";
import { createFiltersOnWrite, type FilteredTrace } from "./trace-filters-on-write.js";

/** What the SQLite store reads out of a stored span body for a query (it owns the body's layout). */
export interface StoredSpanFields {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: SpanKind;
  statusMessage: string | null;
  attributes: Attributes;
  events: SpanEvent[];
}

export interface SqliteSpanQueryDeps {
  db: SqliteDatabase;
  readBody(body: string): StoredSpanFields;
  serviceName(id: number): string;
  /** Scope `id`'s name and version, one object per scope (cached by the store's lookups). */
  scopeNamed(id: number): Pick<InstrumentationScope, "name" | "version">;
  /** The scopes whose INTERNAL spans may name what they call (see SpanLookups.callingScopeIds). */
  callingScopeIds: ReadonlySet<number>;
  /** The keys of attribute shape `id`, if the body has one. */
  shapeKeys(id: number): readonly string[] | undefined;
  /** `--service-name-mapping`: how `peer=` queries name the peers spans call, as the service map does. */
  peerNames?: PeerNames;
}

/** A trace as the SQLite store keeps it in memory: its spans are rows [seq·2^21, (seq+1)·2^21). */
export interface StoredTraceRef extends FilteredTrace, TraceWithCalls {
  readonly seq: number;
  readonly aggregate: SummaryFilterFields & { readonly spanCount: number };
}

export interface SqliteTraceFilter {
  matchesTrace(trace: StoredTraceRef): boolean;
  /** The query's summary test and what a block must hold, for the block notes (see trace-blocks.ts). */
  mayMatchTrace(bounds: TraceBounds): boolean;
  readonly blockNeeds: readonly BlockNeed[][];
  /** Operation names a trace must hold one of per list (see CompiledSpanQuery.operations). */
  readonly operations: readonly (readonly string[])[];
  /**
   * Every token of the trace's stored spans, given to `add`, and every piece of their search text,
   * given to `addPiece`; rebuilds the trace's own filter on the way.
   */
  tokensOf(trace: StoredTraceRef, add: (token: number) => void, addPiece: (piece: string) => void): void;
}

type QueryRow = [
  serviceId: bigint,
  startNs: bigint,
  endNs: bigint,
  statusCode: bigint,
  resourceId: bigint,
  body: string,
  /** Read only while some scope's INTERNAL spans may name what they call (callingScopeIds), or the query reads scopes. */
  scopeId?: bigint,
];

const NO_ATTRIBUTES: Attributes = Object.freeze({}) as Attributes;

/** A JSON string starting at `at` (a quote), as [its text, where it ends]; null when it holds an escape. */
function plainString(text: string, at: number): [string, number] | null {
  if (text.charCodeAt(at) !== 0x22) return null;
  const end = text.indexOf('"', at + 1);
  if (end < 0) return null;
  const value = text.slice(at + 1, end);
  return value.includes("\\") ? null : [value, end + 1];
}

/**
 * A stored body's span id, parent span id and kind (see SpanBody), read without parsing the rest;
 * null when its start is not plain (escapes in the name): then the whole body is parsed.
 */
function bodyHead(body: string): { spanId: string; parentSpanId: string | null; kind: SpanKind } | null {
  let at = body.charCodeAt(0) === 0x21 ? 2 : 1; // past "!" (boxed numbers) and "["
  const id = plainString(body, at);
  if (id === null || body.charCodeAt(id[1]) !== 0x2c) return null;
  at = id[1] + 1;
  let parentSpanId: string | null = null;
  if (body.startsWith("null", at)) at += 4;
  else {
    const parent = plainString(body, at);
    if (parent === null) return null;
    [parentSpanId, at] = parent;
  }
  if (body.charCodeAt(at) !== 0x2c) return null;
  const name = plainString(body, at + 1);
  if (name === null || body.charCodeAt(name[1]) !== 0x2c) return null;
  const kind = SPAN_KINDS[body.charCodeAt(name[1] + 1) - 0x30];
  return kind === undefined || body.charCodeAt(name[1] + 2) !== 0x2c ? null : { spanId: id[0], parentSpanId, kind };
}

interface RowSpan extends QueryableSpan {
  statusMessage: string | null;
}

/**
 * A number a `key=value` term compares with: a row may hold it as numeric text in a form its text
 * need not contain (`"2.5e2"` for 250), see holdsNumberText.
 */
export interface RowNumber {
  number: number;
}

/** A text a row must hold (lower-cased), or a number it may hold as numeric text. */
export type RowNeed = string | RowNumber;

/**
 * What of which at least one per inner list must appear in a span's stored JSON (its body, its
 * resource's JSON or its attribute shape's keys; for `otel.scope.*` terms, its scope's name or
 * version) for the span to match: lower-cased strings, and for `key=<number>` a number held as
 * numeric text in any form. A necessary condition that rules most rows out before any JSON is parsed.
 * Conservative: a term it cannot vouch for (negations, text JSON escapes) requires nothing.
 */
export function requiredTexts(node: QueryNode): RowNeed[][] {
  const verbatim = (texts: string[]): string[][] =>
    texts.every((text) => text !== "" && isJsonVerbatim(text)) ? [[...new Set(texts.map((t) => t.toLowerCase()))]] : [];
  return requirementsOf<RowNeed>(node, (term) => {
    switch (term.type) {
      case "text":
        return verbatim(term.alsoKey ? [term.text, ...aliasReadsOf(term.text).map((read) => read.key)] : [term.text]);
      case "exists":
        // A dotted key also reads into a map under each of its leading parts (see domain/attribute-paths.ts).
        return verbatim([...aliasReadsOf(term.key).map((read) => read.key), ...pathKeysOf(term.key)]);
      case "attribute": {
        if (term.op !== "=" && term.op !== "~") return [];
        if (aliasReadsOf(term.key).some((read) => read.adapt !== undefined)) return [];
        if (term.op === "=" && term.number !== null) {
          // The text as written, the number as JSON writes it, or numeric text in another form.
          const texts = verbatim([term.value, String(term.number)])[0];
          return texts === undefined ? [] : [[...texts, { number: term.number }]];
        }
        return verbatim([term.value]);
      }
      case "scope":
        // In the row's scope's name or version (see mayMatchRow).
        return verbatim([term.value]);
      case "field": {
        if (term.field === "name") return term.op !== "!=" ? verbatim([term.value]) : [];
        const texts = term.field === "operation" && term.op === "=" ? operationNameTexts(term.value) : null;
        return texts === null ? [] : verbatim(texts);
      }
      default:
        return [];
    }
  });
}

/**
 * A quote that may open a string holding a number's text: a digit, a sign, a point, a space, an
 * escape (other white space is written `\t` in JSON) or a character past ASCII (white space there).
 * JSON writes nothing but a comma, a colon or a bracket after a string's closing quote, so most
 * matches open a string; one that does not is read as one at no risk.
 */
const NUMBER_TEXT_START = /"[-+.0-9 \\\u0080-\uffff]/g;

/**
 * Whether JSON text may hold a string that reads as `number` (see numberOfText): one that starts as a
 * number's text may and equals it as a double (what an exact comparison of digits finds, and more),
 * or one that starts so and holds an escape, which is not read here.
 */
export function holdsNumberText(json: string, number: number): boolean {
  NUMBER_TEXT_START.lastIndex = 0;
  for (let match = NUMBER_TEXT_START.exec(json); match !== null; match = NUMBER_TEXT_START.exec(json)) {
    const close = stringEnd(json, match.index + 1);
    if (close < 0) return false;
    const text = json.slice(match.index + 1, close);
    if (text.includes("\\") || numberOfText(text) === number) return true;
    NUMBER_TEXT_START.lastIndex = match.index + 1;
  }
  return false;
}

/** Where the JSON string whose text starts at `from` ends (its closing quote, one no backslash escapes), or -1. */
function stringEnd(json: string, from: number): number {
  for (let at = json.indexOf('"', from); at >= 0; at = json.indexOf('"', at + 1)) {
    let backslashes = 0;
    while (json.charCodeAt(at - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}

/**
 * The query language over the SQLite store's rows: each candidate trace's span rows are read in
 * one range scan, passed over by plain text (see `requiredTexts`) and only then decoded and checked
 * with the same compiled predicate as the memory store's.
 */
export function createSqliteSpanQuery(deps: SqliteSpanQueryDeps) {
  // Each read in two forms: the row's scope id is read only while some scope's INTERNAL spans may
  // name what they call (callingScopeIds) or the query reads scopes, so other traffic costs what it
  // did before the rule read scopes.
  const ROW = "service_id, start_ns, end_ns, status_code, resource_id, body";
  const spanRows = [
    deps.db.prepare(`SELECT ${ROW} FROM spans WHERE id >= ? AND id < ?`).raw(),
    deps.db.prepare(`SELECT ${ROW}, scope_id FROM spans WHERE id >= ? AND id < ?`).raw(),
  ] as const;
  /** Autocomplete's sample after a reopen, with every row's scope (it offers scopes' names and versions). */
  const newestRows = deps.db.prepare(`SELECT ${ROW}, scope_id FROM spans ORDER BY id DESC LIMIT ?`).raw();
  const resourceJsonById = deps.db.prepare("SELECT json FROM resources WHERE id = ?").pluck();
  const callRows = [
    deps.db.prepare("SELECT service_id, body, start_ns, end_ns FROM spans WHERE id >= ? AND id < ?").raw(),
    deps.db.prepare("SELECT service_id, body, start_ns, end_ns, scope_id FROM spans WHERE id >= ? AND id < ?").raw(),
  ] as const;
  /** Which form of a read to use now (see above). */
  const withScopes = () => (deps.callingScopeIds.size > 0 ? 1 : 0);
  /**
   * A row's scope where the rule of what spans call needs it, an INTERNAL span of a calling scope;
   * else undefined, and the span read goes without one (see CallSpan).
   */
  function callScope(kind: SpanKind, scopeId: bigint | undefined): Pick<InstrumentationScope, "name"> | undefined {
    if (kind !== "INTERNAL" || scopeId === undefined) return undefined;
    const id = Number(scopeId);
    return deps.callingScopeIds.has(id) ? deps.scopeNamed(id) : undefined;
  }
  /** New traces' filters and note input, gathered as their spans arrive while queries need them. */
  const onWrite = createFiltersOnWrite();
  const queryOptions = deps.peerNames === undefined ? {} : { peerNames: deps.peerNames };
  const callCache = createTraceCallCache(deps.peerNames);

  /** Per call: resource ids are reused after a clear, so nothing is kept between calls. */
  function resourceReader() {
    const byId = new Map<bigint, { json: string; lower: string; attributes: Attributes | null }>();
    return (id: bigint) => {
      let entry = byId.get(id);
      if (entry === undefined) {
        const json = (resourceJsonById.get(id) as string | undefined) ?? "{}";
        entry = { json, lower: json.toLowerCase(), attributes: null };
        byId.set(id, entry);
      }
      return entry;
    };
  }

  /** `allScopes`: every row's scope (the query reads scopes), not only those callScope names. */
  function toSpan(row: QueryRow, resource: ReturnType<ReturnType<typeof resourceReader>>, allScopes = false): RowSpan {
    const fields = deps.readBody(row[5]);
    resource.attributes ??= decodeJson<Attributes>(resource.json);
    const span: RowSpan = {
      spanId: fields.spanId,
      parentSpanId: fields.parentSpanId,
      name: fields.name,
      kind: fields.kind,
      service: deps.serviceName(Number(row[0])),
      status: { code: STATUS_CODES[Number(row[3])] ?? "UNSET" },
      statusMessage: fields.statusMessage,
      startTimeUnixNano: fromStoredNs(row[1]),
      endTimeUnixNano: fromStoredNs(row[2]),
      attributes: fields.attributes,
      resource: resource.attributes,
      events: fields.events,
    };
    const scope = allScopes && row[6] !== undefined ? deps.scopeNamed(Number(row[6])) : callScope(fields.kind, row[6]);
    if (scope !== undefined) span.scope = scope;
    return span;
  }

  /** The filter for `q`, or undefined when it is blank; throws QueryError. */
  function compile(q: string | undefined): SqliteTraceFilter | undefined {
    const node = q === undefined ? undefined : parseQuery(q);
    if (node === undefined) return undefined;
    const compiled = compileSpanQuery<RowSpan>(
      node,
      (span) => searchTextOf(span.name, span.statusMessage ?? undefined, span.attributes, span.events),
      queryOptions,
    );
    onWrite.queried(compiled);
    const required = requiredTexts(node);
    // An `otel.scope.*` term reads every row's scope; other queries read it as the call rule needs.
    const allScopes = compiled.readsScopes;
    const rowForm = () => (allScopes ? 1 : withScopes());
    const resourceOf = resourceReader();
    const shapeText = new Map<number, string>();
    function shapeLower(body: string): string {
      // A body with a shape ends with its number: `…,<shapeId>]`.
      const match = /,(\d+)\]$/.exec(body);
      if (match === null) return "";
      const id = Number(match[1]);
      let text = shapeText.get(id);
      if (text === undefined) {
        text = JSON.stringify(deps.shapeKeys(id) ?? []).toLowerCase();
        shapeText.set(id, text);
      }
      return text;
    }
    const scopeText = new Map<bigint, string>();
    /** The row's scope's name and version, lower-cased, when the query reads scopes; else "". */
    function scopeLower(row: QueryRow): string {
      const id = row[6];
      if (!allScopes || id === undefined) return "";
      let text = scopeText.get(id);
      if (text === undefined) {
        const scope = deps.scopeNamed(Number(id));
        text = `${scope.name}\n${scope.version}`.toLowerCase();
        scopeText.set(id, text);
      }
      return text;
    }
    function mayMatchRow(row: QueryRow): boolean {
      const body = row[5].toLowerCase();
      // The resource's, the shape's and the scope's text only when the body lacks a required text.
      let others: string[] | undefined;
      for (const anyOf of required) {
        if (anyOf.some((need) => typeof need === "string" && body.includes(need))) continue;
        others ??= [resourceOf(row[4]).lower, shapeLower(row[5]), scopeLower(row)];
        const [resource, shape, scope] = others as [string, string, string];
        const holds = (need: RowNeed) =>
          typeof need === "string"
            ? resource.includes(need) || shape.includes(need) || scope.includes(need)
            : holdsNumberText(body, need.number) || holdsNumberText(resource, need.number);
        if (!anyOf.some(holds)) return false;
      }
      return true;
    }
    /**
     * What the service map's rule reads of a trace's spans (see domain/trace-calls.ts): the body is
     * parsed whole only for a span whose attributes may name what it calls (mayNameCallee: a CLIENT
     * or PRODUCER span, a TraceKit SDK's INTERNAL one).
     */
    function callSpansOf(trace: StoredTraceRef): CallingSpan[] {
      const low = trace.seq * SPAN_SLOTS;
      const rows = callRows[withScopes()].all(low, low + SPAN_SLOTS) as [bigint, string, bigint, bigint, bigint?][];
      return rows.map(([serviceId, body, startNs, endNs, scopeId]) => {
        const head = bodyHead(body);
        // The times tell an LLM call's HTTP request from a call of its own (domain/llm-transport.ts).
        const common = {
          service: deps.serviceName(Number(serviceId)),
          startTimeUnixNano: fromStoredNs(startNs),
          endTimeUnixNano: fromStoredNs(endNs),
        };
        if (head === null) {
          const fields = deps.readBody(body);
          const scope = callScope(fields.kind, scopeId);
          return scope === undefined ? { ...fields, ...common } : { ...fields, ...common, scope };
        }
        if (head.kind === "CLIENT" || head.kind === "PRODUCER") return { ...deps.readBody(body), ...common };
        // callScope only names a calling scope's INTERNAL span, one that may name what it calls.
        const scope = callScope(head.kind, scopeId);
        if (scope !== undefined) return { ...deps.readBody(body), ...common, scope };
        return {
          spanId: head.spanId,
          parentSpanId: head.parentSpanId,
          kind: head.kind,
          ...common,
          attributes: NO_ATTRIBUTES,
        };
      });
    }
    function spansOf(trace: StoredTraceRef): RowSpan[] {
      const low = trace.seq * SPAN_SLOTS;
      return (spanRows[rowForm()].all(low, low + SPAN_SLOTS) as QueryRow[]).map((row) =>
        toSpan(row, resourceOf(row[4]), allScopes),
      );
    }
    return {
      mayMatchTrace: compiled.mayMatchTrace,
      blockNeeds: compiled.blockNeeds,
      operations: compiled.operations,
      tokensOf(trace, add, addPiece) {
        if (onWrite.takeNoteInput(trace, trace.aggregate.spanCount, add, addPiece)) return;
        const spans = spansOf(trace);
        trace.bloom = buildBloom(spans, add);
        for (const span of spans)
          forEachSearchPart(span.name, span.statusMessage, span.attributes, span.events, addPiece);
      },
      matchesTrace(trace) {
        if (!compiled.mayMatchTrace(trace.aggregate)) return false;
        const low = trace.seq * SPAN_SLOTS;
        let spans: RowSpan[] | null = null;
        if (compiled.tokens.length > 0) {
          const bloom = trace.bloom;
          if (bloom === null || bloom.spans !== trace.aggregate.spanCount) {
            // First query that needs this trace's filter: read every span once, build it, decide.
            spans = spansOf(trace);
            const built = buildBloom(spans);
            trace.bloom = built;
            if (!bloomAllows(built.bits, compiled.tokens)) return false;
          } else if (!bloomAllows(bloom.bits, compiled.tokens)) return false;
        }
        if (compiled.calls.length > 0) {
          const read = spans;
          const pairs = callCache.pairsOf(trace, trace.aggregate.spanCount, () => ({
            spans: read ?? callSpansOf(trace),
          }));
          if (!callsAllow(pairs, compiled.calls)) return false;
        }
        // What a span calls is in the other spans of its trace: every one is read.
        if (spans !== null || compiled.needsCalls) return compiled.matchesSpans(spans ?? spansOf(trace));
        for (const row of spanRows[rowForm()].iterate(low, low + SPAN_SLOTS) as Iterable<QueryRow>) {
          if (required.length > 0 && !mayMatchRow(row)) continue;
          if (compiled.matchesSpan(toSpan(row, resourceOf(row[4]), allScopes))) return true;
        }
        return false;
      },
    };
  }

  /** Spans inserted since this store opened (or was cleared), the newest CATALOG_SAMPLE_SPANS. */
  const recentSpans = new RecentSpans<Span>();

  /**
   * What autocomplete counts: the spans inserted lately whose traces are still stored, or, while fewer
   * than the sample arrived since the file was opened and the file holds more (`storedSpans`), the
   * newest rows read back.
   */
  function catalogSpans(storedSpans: number, isStored: (traceId: string) => boolean): readonly QueryableSpan[] {
    if (recentSpans.size >= CATALOG_SAMPLE_SPANS || recentSpans.size >= storedSpans) {
      return recentSpans.list((span) => isStored(span.traceId));
    }
    const resourceOf = resourceReader();
    return (newestRows.all(CATALOG_SAMPLE_SPANS) as QueryRow[]).map((row) => toSpan(row, resourceOf(row[4]), true));
  }

  return {
    compile,
    recentSpans,
    catalogSpans,
    /** A span the store accepted, its trace's entry already counting it. */
    spanAccepted: (trace: StoredTraceRef, span: Span) => onWrite.spanAccepted(trace, trace.aggregate.spanCount, span),
    /** A stored trace's whole spans, read for something else (see TraceCallCache.learn). */
    learnCalls: (trace: StoredTraceRef, spans: readonly CallingSpan[]) => callCache.learn(trace, spans),
    /** The store's traces were read again or cleared: their entries are new. */
    forgetTraces: () => {
      onWrite.forget();
      callCache.clear();
    },
  };
}

export type SqliteSpanQuery = ReturnType<typeof createSqliteSpanQuery>;
