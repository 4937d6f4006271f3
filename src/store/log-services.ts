/**
 * The services that have stored log records (the Logs page's service menu), kept as each service's
 * newest arrival number. Retention evicts the records that arrived first, so a service has a record
 * stored exactly while its newest number is at or above the lowest one stored: eviction and clear need
 * no work of their own, and a read looks at one number per service, never at the records.
 */
export class LogServiceIndex {
  private readonly newest = new Map<string, number>();

  /** A record of `service` arrived with number `seq` (numbers only grow). */
  add(service: string, seq: number): void {
    this.newest.set(service, seq);
  }

  /** The newest number of each service with one, as a file keeps them (read back at open). */
  load(rows: Iterable<readonly [string, number]>): void {
    this.newest.clear();
    for (const [service, seq] of rows) this.add(service, seq);
  }

  /** The services with a record numbered `firstSeq` or higher, by name; those with none are forgotten. */
  names(firstSeq: number): string[] {
    const names: string[] = [];
    for (const [service, seq] of this.newest) {
      if (seq >= firstSeq) names.push(service);
      else this.newest.delete(service);
    }
    return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  clear(): void {
    this.newest.clear();
  }
}
