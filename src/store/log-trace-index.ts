/**
 * Which stored log records belong to each trace, by arrival number, kept in memory by both log
 * stores: the trace view asks for a trace's records on every open, and in SQLite an index by trace
 * id took a random page per record (it halved the insert rate). Numbers arrive in increasing order
 * and leave from the lowest, so a trace's list is in arrival order and eviction drops from its front.
 */
export class LogTraceIndex {
  private readonly byTrace = new Map<string, number[]>();

  /** Records that record `seq` (greater than any added before) is in trace `traceId`. */
  add(seq: number, traceId: string): void {
    const ofTrace = this.byTrace.get(traceId);
    if (ofTrace === undefined) this.byTrace.set(traceId, [seq]);
    else ofTrace.push(seq);
  }

  /** Forgets the oldest record of a trace (the one being evicted). */
  removeOldest(traceId: string): void {
    const ofTrace = this.byTrace.get(traceId);
    if (ofTrace === undefined) return;
    ofTrace.shift();
    if (ofTrace.length === 0) this.byTrace.delete(traceId);
  }

  /** The numbers of a trace's records, in arrival order (empty when none is stored). */
  seqsOf(traceId: string): readonly number[] {
    return this.byTrace.get(traceId) ?? [];
  }

  clear(): void {
    this.byTrace.clear();
  }
}

/**
 * A LogTraceIndex that also remembers which trace each number was in, for a store that does not keep
 * the records themselves in memory (SQLite): retention then evicts by number alone.
 */
export class ArrivalTraceIndex extends LogTraceIndex {
  /** Every (number, trace) added and not yet evicted, in arrival order, from `head`. */
  private seqs: number[] = [];
  private traceIds: string[] = [];
  private head = 0;

  override add(seq: number, traceId: string): void {
    super.add(seq, traceId);
    this.seqs.push(seq);
    this.traceIds.push(traceId);
  }

  /** Forgets every record numbered below `seq`. */
  evictBelow(seq: number): void {
    let head = this.head;
    while (head < this.seqs.length && (this.seqs[head] as number) < seq) {
      this.removeOldest(this.traceIds[head] as string);
      head++;
    }
    // Drop the evicted front once it is most of the lists.
    if (head > 4096 && head * 2 > this.seqs.length) {
      this.seqs = this.seqs.slice(head);
      this.traceIds = this.traceIds.slice(head);
      head = 0;
    }
    this.head = head;
  }

  override clear(): void {
    super.clear();
    this.seqs = [];
    this.traceIds = [];
    this.head = 0;
  }
}
