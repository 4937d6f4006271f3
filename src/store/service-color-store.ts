/**
 * Where the server's service colour assignment (domain/service-colors.ts) is kept between runs. Only
 * a `--db` file keeps it: without one the assignment lives and ends with the process, like the
 * telemetry, so the memory stores have no such store.
 */
export interface ServiceColorStore {
  /** The slots given so far, in the order they were given. */
  given(): [service: string, slot: number][];
  /** Keeps a slot just given (written at once: services are few and new ones rare). */
  keep(service: string, slot: number): void;
  close(): void;
}
