/**
 * What an import added, found stored already and refused, counted per signal: the shape an import's
 * counts (transfer/import.ts), `POST /api/import`'s answer and the web app's sum of a file's parts share.
 */

/** Items of an import of each signal. */
export interface SignalCounts {
  spans: number;
  logRecords: number;
  dataPoints: number;
}

export interface ImportTally extends SignalCounts {
  /** Items the stores held already (sent before, or twice in the file): not stored again. */
  alreadyStored: SignalCounts;
  /** Items the decoders or the stores refused (invalid ids, past the retention bound, ...). */
  rejected: number;
}

export function emptySignalCounts(): SignalCounts {
  return { spans: 0, logRecords: 0, dataPoints: 0 };
}

/** Adds `from`'s items to `into`. */
export function addSignalCounts(into: SignalCounts, from: SignalCounts): void {
  into.spans += from.spans;
  into.logRecords += from.logRecords;
  into.dataPoints += from.dataPoints;
}

export function emptyImportTally(): ImportTally {
  return { ...emptySignalCounts(), alreadyStored: emptySignalCounts(), rejected: 0 };
}

/** Adds `from`'s counts to `into` (trace ids and errors are each caller's own). */
export function addImportTally(into: ImportTally, from: ImportTally): void {
  addSignalCounts(into, from);
  addSignalCounts(into.alreadyStored, from.alreadyStored);
  into.rejected += from.rejected;
}
