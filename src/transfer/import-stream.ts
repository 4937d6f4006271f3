/**
 * One file's import: its batches (file-batches.ts) go to a sink, several at a time, and what each
 * stored or refused is added up. The sink is a running server (`POST /api/import`) or a `--db` file
 * opened here (the offline importer).
 */
import { OtlpDecodeError } from "../otlp/errors.js";
import type { ImportResponse } from "../protocol.js";
import { type BatchOptions, DEFAULT_BATCH_OPTIONS, type ImportBatch, importBatches } from "./file-batches.js";
import { emptyImportCounts, type ImportCounts, type Importer, MAX_IMPORT_ERRORS } from "./import.js";

export interface BatchSink {
  /** Imports one batch, adding what it stored and refused to `counts`. */
  send(batch: ImportBatch, counts: ImportCounts): Promise<void>;
}

/** Batches into the stores of this process. */
export function offlineSink(importer: Importer, maxInflatedBytes = 1024 ** 3): BatchSink {
  return {
    async send(batch, counts) {
      importer.importBody(batch.body, counts, {
        firstLine: batch.firstLine,
        firstByte: batch.firstByte,
        maxInflatedBytes,
      });
    },
  };
}

/** Batches to a running instance's `POST /api/import`. */
export function remoteSink(baseUrl: string): BatchSink {
  return {
    async send(batch, counts) {
      const where = batch.firstByte > 0 ? `byte ${batch.firstByte}` : `line ${batch.firstLine}`;
      let response: Response;
      try {
        response = await fetch(`${baseUrl}/api/import?line=${batch.firstLine}`, {
          method: "POST",
          headers: { "Content-Type": "application/octet-stream" },
          body: batch.body as Uint8Array<ArrayBuffer>,
        });
      } catch (error) {
        addError(counts, where, `cannot reach ${baseUrl} (${(error as Error).message})`);
        return;
      }
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
      if (!response.ok) {
        const message = (body as { error?: { message?: string } } | null)?.error?.message ?? text.slice(0, 200);
        // The server's message names the line or byte itself.
        addError(counts, "", `${response.status}: ${message}`);
        return;
      }
      const answer = body as ImportResponse;
      for (const id of answer.traceIds) counts.traceIds.add(id);
      counts.spans += answer.spans;
      counts.logRecords += answer.logRecords;
      counts.dataPoints += answer.dataPoints;
      counts.rejected += answer.rejected;
      for (const error of answer.errors) if (counts.errors.length < MAX_IMPORT_ERRORS) counts.errors.push(error);
    },
  };
}

function addError(counts: ImportCounts, where: string, message: string): void {
  if (counts.errors.length < MAX_IMPORT_ERRORS) counts.errors.push({ where, message });
}

export interface StreamImportOptions {
  /** Batches in flight at once. */
  concurrency?: number;
  batches?: BatchOptions;
  /** After each batch is done, with the counts so far. */
  onBatch?(counts: ImportCounts): void;
}

/**
 * Imports one file or stream. A file that is none of the formats ends with one error and no
 * batches; a bad part inside a file is an error of its own while the rest imports.
 */
export async function importStream(
  input: AsyncIterable<Uint8Array | string>,
  sink: BatchSink,
  options: StreamImportOptions = {},
): Promise<ImportCounts> {
  const counts = emptyImportCounts();
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const inFlight = new Set<Promise<void>>();
  try {
    for await (const batch of importBatches(input, options.batches ?? DEFAULT_BATCH_OPTIONS)) {
      const sent: Promise<void> = sink
        .send(batch, counts)
        .catch((error: unknown) => addError(counts, `line ${batch.firstLine}`, (error as Error).message))
        .then(() => {
          inFlight.delete(sent);
          options.onBatch?.(counts);
        });
      inFlight.add(sent);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
  } catch (error) {
    if (!(error instanceof OtlpDecodeError)) throw error;
    addError(counts, "", error.message);
  }
  await Promise.all(inFlight);
  return counts;
}
