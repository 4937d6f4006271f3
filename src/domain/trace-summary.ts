import type { Span } from "./span.js";
import { durationMs } from "./time.js";
import { traceNameOf } from "./trace-name.js";

/** What the trace list shows of one trace, correct for whatever spans have arrived so far. */
export interface TraceSummary {
  traceId: string;
  /**
   * The root span's name, or the earliest span's while no root has arrived; a bare HTTP method reads
   * as method plus route or path (see `traceNameOf`).
   */
  name: string;
  service: string;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  services: string[];
  /** False while the root span (no parent) has not arrived. */
  hasRoot: boolean;
}

/**
 * The running aggregate a store keeps per trace. `add` folds in one span; both stores use it so
 * the rules for name, service and counts live in one place.
 */
export class TraceAggregate {
  startTimeUnixNano = 0n;
  endTimeUnixNano = 0n;
  spanCount = 0;
  errorCount = 0;
  rootName: string | null = null;
  rootService: string | null = null;
  /** Name and service of the earliest span, used while there is no root. */
  firstName = "";
  firstService = "";
  readonly services: string[] = [];

  constructor(readonly traceId: string) {}

  get durationMs(): number {
    return durationMs(this.startTimeUnixNano, this.endTimeUnixNano);
  }

  add(span: Span): void {
    if (this.spanCount === 0 || span.startTimeUnixNano < this.startTimeUnixNano) {
      this.startTimeUnixNano = span.startTimeUnixNano;
      this.firstName = traceNameOf(span.name, span.attributes);
      this.firstService = span.service;
    }
    if (this.spanCount === 0 || span.endTimeUnixNano > this.endTimeUnixNano) {
      this.endTimeUnixNano = span.endTimeUnixNano;
    }
    this.spanCount++;
    if (span.status.code === "ERROR") this.errorCount++;
    if (span.parentSpanId === null && this.rootName === null) {
      this.rootName = traceNameOf(span.name, span.attributes);
      this.rootService = span.service;
    }
    if (!this.services.includes(span.service)) this.services.push(span.service);
  }

  toSummary(): TraceSummary {
    return {
      traceId: this.traceId,
      name: this.rootName ?? this.firstName,
      service: this.rootService ?? this.firstService,
      startTimeUnixNano: this.startTimeUnixNano,
      endTimeUnixNano: this.endTimeUnixNano,
      durationMs: this.durationMs,
      spanCount: this.spanCount,
      errorCount: this.errorCount,
      services: [...this.services].sort(),
      hasRoot: this.rootName !== null,
    };
  }
}
