/**
 * The Logs page's count of the records that match its filters, asked of the server again as live
 * records arrive: when it may be asked (spaced out during a burst of live records), and which answer
 * is kept (the latest asked, for the list shown: never one asked before a newer one, before the list
 * was loaded again, or before Clear). Pure, so it is tested without a browser.
 */

/** The least time between two recounts: one costs the server up to tens of milliseconds at 200,000 records. */
export const RECOUNT_SPACING_MS = 2_000;

/** What an answer is checked against as it lands. */
export interface RecountTicket {
  /** The list it was asked for (filters, reloads, the record it is loaded around). */
  list: string;
  sequence: number;
}

export class MatchedCount<Params> {
  /** The count shown; null when the server gives none (past its bound, or a list loaded around a record). */
  value: number | null = null;
  private list: string | null = null;
  /** What the list's first page was asked with. */
  private params: Params | null = null;
  private sequence = 0;
  private lastAskedAt = Number.NEGATIVE_INFINITY;

  /** A list's first page, asked with `params`, came in with this count (`matched`, null without one). */
  loaded(list: string, params: Params, matched: number | null): void {
    this.list = list;
    this.params = params;
    this.value = matched;
    this.sequence++;
  }

  /** Every record stored was cleared: none match, and no answer asked before is kept. */
  cleared(): void {
    this.sequence++;
    if (this.value !== null) this.value = 0;
  }

  /**
   * What a recount of `list` (or a request for its newest records) is asked with: its first page's
   * parameters, so a time window stays the one its rows were loaded with and the count agrees with
   * them; undefined for a list whose first page is not in yet.
   */
  paramsFor(list: string): Params | undefined {
    return this.list === list && this.params !== null ? this.params : undefined;
  }

  /** Milliseconds until a recount may be asked at `now` (0: now), or null when there is no count to keep. */
  wait(now: number): number | null {
    if (this.value === null) return null;
    return Math.max(0, this.lastAskedAt + RECOUNT_SPACING_MS - now);
  }

  /** A recount is asked at `now` for `list`: the ticket its answer lands with. */
  ask(list: string, now: number): RecountTicket {
    this.lastAskedAt = now;
    return { list, sequence: ++this.sequence };
  }

  /** A recount's answer (`matched`, undefined past the bound) while `list` is shown: true when it is kept. */
  answer(ticket: RecountTicket, list: string, matched: number | undefined): boolean {
    if (ticket.sequence !== this.sequence || ticket.list !== list || ticket.list !== this.list) return false;
    this.value = matched ?? null;
    return true;
  }
}
