/**
 * One file's import: its batches (file-batches.ts) go to a sink, several at a time, and what each
 * stored or refused is added up. The sink is a running server (otlp-client.ts) or a `--db` file
 * opened here (the offline importer).
 */
import { addSignalCounts, emptySignalCounts, type SignalCounts } from "../domain/import-tally.js";
import { OtlpDecodeError } from "../otlp/errors.js";
import {
  type BatchOptions,
  DEFAULT_BATCH_OPTIONS,
  EmptyInputError,
  type ImportBatch,
  importBatches,
} from "./file-batches.js";
import { addError, emptyImportCounts, type ImportCounts, type Importer } from "./import.js";

/**
 * Thrown by a sink that can take no more batches (the server it sends to stopped answering): the
 * import ends there instead of reading the rest of the file only to fail every batch of it.
 */
export class SinkUnreachableError extends Error {
  constructor(
    message: string,
    /**
     * Items of requests the server received, in part or whole, without answering: it may have stored
     * some or all of them before it stopped, which no one here can know.
     */
    readonly unanswered: SignalCounts = emptySignalCounts(),
  ) {
    super(message);
  }
}

/** What one file's import stored and refused, and whether the sink stopped it early. */
export interface StreamImportCounts extends ImportCounts {
  /** Set when the sink became unreachable: the batches after the one it failed on were not read. */
  stopped?: { where: string; message: string };
  /** Items sent that the sink stopped before answering for (see SinkUnreachableError): stored or not, unknown. */
  unanswered: SignalCounts;
}

export interface BatchSink {
  /** Imports one batch, adding what it stored and refused to `counts`. */
  send(batch: ImportBatch, counts: ImportCounts): Promise<void>;
  /** Lets go of what the sink holds (connections); after the last file. */
  close?(): void;
}

/** Batches into the stores of this process. */
export function offlineSink(importer: Importer, maxInflatedBytes = 1024 ** 3): BatchSink {
  return {
    async send(batch, counts) {
      importer.importBody(batch.body, counts, {
        firstLine: batch.firstLine,
        firstByte: batch.firstByte,
        maxInflatedBytes,
        jsonLines: batch.jsonLines,
      });
    },
  };
}

export interface StreamImportOptions {
  /** Batches in flight at once. */
  concurrency?: number;
  batches?: BatchOptions;
  /** After each batch is done, with the counts so far. */
  onBatch?(counts: ImportCounts): void;
  /** What an empty input is said to be, when not a file ("the file is empty"): stdin, say. */
  emptyMessage?: string;
}

/**
 * Imports one file or stream. A file that is none of the formats ends with one error and no
 * batches; a bad part inside a file is an error of its own while the rest imports.
 */
export async function importStream(
  input: AsyncIterable<Uint8Array | string>,
  sink: BatchSink,
  options: StreamImportOptions = {},
): Promise<StreamImportCounts> {
  const counts: StreamImportCounts = { ...emptyImportCounts(), unanswered: emptySignalCounts() };
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const inFlight = new Set<Promise<void>>();
  /** The first batch the sink could not take for good (those in flight with it fail alike, unreported). */
  let stopped: { where: string; message: string } | undefined;
  try {
    for await (const batch of importBatches(input, options.batches ?? DEFAULT_BATCH_OPTIONS)) {
      if (stopped !== undefined) break;
      const where = `line ${batch.firstLine}`;
      const sent: Promise<void> = sink
        .send(batch, counts)
        .catch((error: unknown) => {
          if (error instanceof SinkUnreachableError) {
            stopped ??= { where, message: error.message };
            addSignalCounts(counts.unanswered, error.unanswered);
          } else addError(counts, { where, message: (error as Error).message });
        })
        .then(() => {
          inFlight.delete(sent);
          options.onBatch?.(counts);
        });
      inFlight.add(sent);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
  } catch (error) {
    // What was read before is imported (and counted) whatever broke off the rest.
    await Promise.all(inFlight);
    if (!(error instanceof OtlpDecodeError)) throw error;
    const empty = error instanceof EmptyInputError ? options.emptyMessage : undefined;
    addError(counts, { where: "", message: empty ?? error.message });
  }
  await Promise.all(inFlight);
  // Checked again: the batches in flight when the file ended may be where it stopped.
  const last = stopped as { where: string; message: string } | undefined;
  if (last !== undefined) {
    counts.stopped = last;
    addError(counts, { where: last.where, message: `${last.message}; the import stopped there` });
  }
  return counts;
}
