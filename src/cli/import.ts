import { accessSync, constants, existsSync, statSync } from "node:fs";
import { count as number, plural } from "../domain/count-text.js";
import { addImportTally, addSignalCounts, emptySignalCounts, type SignalCounts } from "../domain/import-tally.js";
import { byteSize } from "../domain/size-text.js";
import { StoreOpenError } from "../store/open-store.js";
import { emptyImportCounts, type ImportCounts, itemsRead } from "../transfer/import.js";
import type { BatchSink, StreamImportCounts } from "../transfer/import-stream.js";
import { packageVersion } from "../version.js";
import { evictedWithin } from "./eviction-note.js";
import { DEFAULT_CONCURRENCY, type ImportOptions } from "./import-options.js";
import { type InstanceHealth, probeInstance, refuseInstanceFlagsWithDb, requireInstance } from "./instance.js";

/** Files at least this large get a progress bar (when stderr is a terminal). */
const PROGRESS_MIN_BYTES = 4 * 1024 * 1024;
const PROGRESS_INTERVAL_MS = 100;

function fileSize(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}

/** A progress bar on stderr, redrawn at most every 100 ms; only on a terminal and for big files. */
function progressBar(name: string, total: number | null) {
  const shown = process.stderr.isTTY === true && (total === null || total >= PROGRESS_MIN_BYTES);
  let lastDraw = 0;
  let read = 0;
  let spans = 0;
  const draw = (force = false) => {
    if (!shown) return;
    const now = Date.now();
    if (!force && now - lastDraw < PROGRESS_INTERVAL_MS) return;
    lastDraw = now;
    const width = 24;
    let line: string;
    if (total !== null && total > 0) {
      const done = Math.min(1, read / total);
      const filled = Math.round(done * width);
      line = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${Math.floor(done * 100)}% ${byteSize(read)} of ${byteSize(total)}`;
    } else {
      line = `${byteSize(read)} read`;
    }
    process.stderr.write(`\r${name}: ${line}, ${number(spans)} spans\x1b[K`);
  };
  return {
    read(bytes: number) {
      read += bytes;
      draw();
    },
    counts(counts: ImportCounts) {
      // Spans read so far, also those stored already (a file imported again moves the bar too).
      spans = counts.spans + counts.alreadyStored.spans;
      draw();
    },
    done() {
      if (shown) process.stderr.write("\r\x1b[K");
    },
  };
}

/** What a store let go of so far, and its bounds: read before and after an import to tell what it evicted. */
interface Evictions {
  traces: number;
  spans: number;
  logs: number;
  maxSpans: number;
  maxLogs: number;
}

/** From a running instance's health answer (null when it does not say: an older tracekit-local). */
function isLoading(health: Record<string, unknown> | null): boolean {
  return (health?.storage as Record<string, unknown> | undefined)?.state === "loading";
}

function evictionsOf(health: Record<string, unknown> | null): Evictions | null {
  const counts = health?.counts as Record<string, unknown> | undefined;
  const storage = health?.storage as Record<string, unknown> | undefined;
  const numbers = [
    counts?.evictedTraces,
    counts?.evictedSpans,
    counts?.evictedLogs,
    storage?.maxSpans,
    storage?.maxLogs,
  ];
  if (!numbers.every((n) => typeof n === "number")) return null;
  const [traces, spans, logs, maxSpans, maxLogs] = numbers as number[];
  return { traces, spans, logs, maxSpans, maxLogs } as Evictions;
}

/**
 * One line when the store evicted while the import ran: a summary of what was added reads as if it
 * were all kept, and traces (perhaps of the file itself) are gone. Into a running instance, what else
 * it received meanwhile is counted too. Not "the oldest": a --db file opened with a smaller
 * --max-spans first evicts the traces larger than it alone, the newest among them.
 */
function evictionNote(before: Evictions | null, after: Evictions | null, offline: boolean): string | null {
  if (before === null || after === null) return null;
  const evicted = {
    traces: after.traces - before.traces,
    spans: after.spans - before.spans,
    logs: after.logs - before.logs,
  };
  const within = evictedWithin(evicted, after);
  if (within === null) return null;
  const who = offline ? "the file" : "the instance";
  const raise = offline
    ? `pass a larger ${within.flags} to keep more`
    : "start it with a larger --max-spans / --max-logs to keep more";
  return `note: ${who} evicted ${within.what} while importing; ${raise}`;
}

/** Why a file could not be read, in one line: as other commands say it, not Node's raw `ENOENT: …`. */
function readFailure(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "is a directory, not a file";
  if (code === "EACCES" || code === "EPERM") return "cannot read it (permission denied)";
  if (code !== undefined && message.startsWith(`${code}: `)) return `cannot read it (${code})`;
  return message.split("\n")[0] ?? "";
}

/**
 * The summary's start: how many of the files were read (`imported 1 of 2 files (1 in part)`). Stdin
 * alone is no file (`imported stdin`, `stdin not imported`); with files, each is an input.
 */
function importedWhat(files: readonly string[], failed: number, part: number): string {
  if (files.length === 1 && files[0] === "-")
    return failed > 0 ? "stdin not imported" : `imported stdin${part > 0 ? " in part" : ""}`;
  const noun = files.includes("-") ? "input" : "file";
  const inPart = part > 0 ? ` (${number(part)} in part)` : "";
  return `imported ${failed > 0 ? `${number(files.length - failed)} of ` : ""}${number(files.length)} ${noun}${files.length === 1 ? "" : "s"}${inPart}`;
}

/** What was imported, as "importing … again" names it: stdin's data is no file to import again. */
function sameInputs(files: readonly string[]): string {
  if (files.every((file) => file === "-")) return "the same data";
  if (files.includes("-")) return "the same inputs";
  return files.length === 1 ? "the same file" : "the same files";
}

/**
 * Why `file` cannot be read (as readFailure says it), or null when it may be: it is missing, a folder,
 * or not readable by this user. Never opened here: opening and closing a named pipe would let its
 * writer through and leave it with no reader (killed by SIGPIPE), and the real read waiting for another.
 */
function readProblem(file: string): string | null {
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) return readFailure(Object.assign(new Error("EISDIR"), { code: "EISDIR" }));
    // A socket or a device is no file of telemetry (a named pipe is one, written as it is read).
    if (!stat.isFile() && !stat.isFIFO()) return "is not a file";
    accessSync(file, constants.R_OK);
    return null;
  } catch (error) {
    return readFailure(error);
  }
}

function itemsOf(counts: SignalCounts): number {
  return counts.spans + counts.logRecords + counts.dataPoints;
}

async function* counted(source: AsyncIterable<Uint8Array | string>, onRead: (bytes: number) => void) {
  for await (const chunk of source) {
    onRead(chunk.length);
    yield chunk;
  }
}

export async function runImport(files: string[], options: ImportOptions): Promise<void> {
  refuseInstanceFlagsWithDb(options, [["--concurrency", options.concurrency]]);
  const started = performance.now();
  let sink: BatchSink;
  let close = () => {};
  /** What the store has evicted so far, read before the files and again after them. */
  let evictions: () => Promise<Evictions | null> = async () => null;
  const { importStream, offlineSink } = await import("../transfer/import-stream.js");
  const { fileChunks } = await import("../transfer/file-batches.js");
  if (options.db !== undefined && !files.includes("-") && !existsSync(options.db)) {
    // None of the files can be read: the store file is not created for nothing. (One that exists is
    // opened as usual: an import of /dev/null with smaller bounds applies them.)
    const reasons = files.map(readProblem);
    if (reasons.every((reason) => reason !== null)) {
      for (const [i, file] of files.entries()) console.error(`error: ${file}: ${reasons[i]}`);
      const seconds = (performance.now() - started) / 1000;
      console.log(`${importedWhat(files, files.length, 0)}: nothing new, 0 rejected in ${seconds.toFixed(1)} s`);
      process.exitCode = 1;
      return;
    }
  }
  if (options.db !== undefined) {
    const { openOffline } = await import("../offline.js");
    try {
      const offline = await openOffline({
        dbPath: options.db,
        create: true,
        ...(options.maxSpans !== undefined ? { maxSpans: options.maxSpans } : {}),
        ...(options.maxLogs !== undefined ? { maxLogs: options.maxLogs } : {}),
      });
      sink = offlineSink(offline.importer);
      close = () => offline.close();
      // Before: what the file had evicted when it was opened, before a smaller bound than it held
      // evicted more at once (that, too, this import did).
      let opened = true;
      evictions = async () => {
        const spans = offline.store.stats();
        const logs = offline.logs.stats();
        const { held } = offline;
        const before = opened;
        opened = false;
        return {
          traces: before ? held.evictedTraces : spans.evictedTraces,
          spans: before ? held.evictedSpans : spans.evictedSpans,
          logs: before ? held.evictedLogs : logs.evictedLogs,
          maxSpans: spans.maxSpans,
          maxLogs: logs.maxLogs,
        };
      };
    } catch (error) {
      if (error instanceof StoreOpenError) {
        console.error(`error: ${error.message}`);
        process.exit(1);
      }
      throw error;
    }
  } else {
    for (const [flag, value] of [
      ["--max-spans", options.maxSpans],
      ["--max-logs", options.maxLogs],
    ] as const) {
      if (value === undefined) continue;
      console.error(`error: ${flag} applies to --db only (a running instance keeps its own bound)`);
      process.exit(2);
    }
    const { otlpHttpSink } = await import("../transfer/otlp-client.js");
    const instance = await requireInstance(options);
    const httpSink = otlpHttpSink(instance.url, `tracekit-local-import/${packageVersion()}`);
    sink = httpSink;
    close = () => httpSink.close?.();
    let health: InstanceHealth | null = instance.health;
    evictions = async () => {
      let read = health ?? (await probeInstance(instance.url));
      health = null;
      // A --db file still being read back counts 0 evictions until then: the numbers before the
      // import are the file's, once read (what is sent meanwhile would wait for it anyway).
      while (isLoading(read)) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        read = await probeInstance(instance.url);
      }
      return evictionsOf(read);
    };
  }
  const evictedBefore = await evictions();
  let note: string | null = null;

  const totals: ImportCounts = emptyImportCounts();
  /** Items sent that the instance stopped before answering for: stored or not, unknown. */
  const unanswered = emptySignalCounts();
  /** Files nothing was read from, and files read in part (a bad line, data cut short). */
  let failedFiles = 0;
  let partFiles = 0;
  try {
    for (const [index, file] of files.entries()) {
      const name = file === "-" ? "stdin" : file;
      // Typed or pasted at a terminal, or a `-` given by mistake: either way, never a silent wait.
      if (file === "-" && process.stdin.isTTY === true)
        console.error(
          "import: reading OTLP from stdin (the terminal); end it with Ctrl+D, or pass a file or pipe one in",
        );
      const progress = progressBar(name, file === "-" ? null : fileSize(file));
      let counts: StreamImportCounts;
      try {
        const input = file === "-" ? process.stdin : fileChunks(file);
        counts = await importStream(counted(input, progress.read), sink, {
          concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
          onBatch: progress.counts,
          ...(file === "-" ? { emptyMessage: "empty, nothing to import" } : {}),
        });
      } catch (error) {
        progress.done();
        failedFiles++;
        console.error(`error: ${name}: ${readFailure(error)}`);
        continue;
      }
      progress.done();
      for (const id of counts.traceIds) totals.traceIds.add(id);
      addImportTally(totals, counts);
      addSignalCounts(unanswered, counts.unanswered);
      let unreadable = false;
      for (const error of counts.errors) {
        unreadable ||= error.rejectedItems === undefined;
        const where = error.where === "" ? "" : `${error.where}: `;
        console.error(`${error.rejectedItems === undefined ? "error" : "warning"}: ${name}: ${where}${error.message}`);
      }
      const read = itemsRead(counts) + counts.rejected;
      // Every item read was refused (invalid ids, past a bound) and none is stored, new or from before:
      // the file failed as surely as an unreadable one, whatever the other files did, and a script must
      // be able to tell (exit 1, below). Items the instance left unanswered may be stored.
      const allRefused = counts.rejected > 0 && itemsRead(counts) === 0 && itemsOf(counts.unanswered) === 0;
      if (allRefused || (unreadable && read === 0)) failedFiles++;
      else if (unreadable) partFiles++;
      if (counts.stopped !== undefined) {
        // The instance stopped answering: the files after this one are not tried.
        failedFiles += files.length - index - 1;
        break;
      }
    }
    note = evictionNote(evictedBefore, await evictions(), options.db !== undefined);
  } finally {
    close();
  }

  const seconds = (performance.now() - started) / 1000;
  const bySignal = (counts: SignalCounts): [number, string][] => [
    [counts.spans, "span"],
    [counts.logRecords, "log record"],
    [counts.dataPoints, "metric point"],
  ];
  const stored = bySignal(totals.alreadyStored);
  // Only the kinds the files held (new or stored already): a traces file says nothing of metric points.
  const added = bySignal(totals).flatMap(([n, noun], i) => {
    if (n === 0 && (stored[i]?.[0] ?? 0) === 0) return [];
    return noun === "span" ? [plural(totals.traceIds.size, "trace"), plural(n, noun)] : [plural(n, noun)];
  });
  const held = stored.filter(([n]) => n > 0).map(([n, noun]) => plural(n, noun));
  const unknown = bySignal(unanswered)
    .filter(([n]) => n > 0)
    .map(([n, noun]) => plural(n, noun));
  // What this import added, then what was stored already (all of it when a file is imported again).
  // When the instance stopped with requests unanswered, what they stored is unknown: what is counted
  // new is what the instance confirmed, and what it left unanswered follows.
  const parts = [
    `${added.length === 0 ? "nothing" : added.join(", ")}${unknown.length > 0 ? " confirmed" : ""} new${held.length > 0 ? ` (${held.join(", ")} already stored)` : ""}`,
    `${number(totals.rejected)} rejected`,
    ...(unknown.length > 0 ? [`${unknown.join(", ")} unanswered (stored or not: unknown)`] : []),
  ];
  // The rate is of spans read: when some were stored already it says so, not that they were added at it.
  const spansRead = totals.spans + totals.alreadyStored.spans;
  const perSecond = seconds > 0 && spansRead > 0 ? `${number(Math.round(spansRead / seconds))} spans/s` : "";
  const rate = perSecond === "" ? "" : totals.alreadyStored.spans > 0 ? ` (read at ${perSecond})` : ` (${perSecond})`;
  const into = options.db !== undefined ? ` into ${options.db}` : "";
  console.log(
    `${importedWhat(files, failedFiles, partFiles)}${into}: ${parts.join(", ")} in ${seconds.toFixed(1)} s${rate}`,
  );
  if (note !== null) console.error(note);
  if (unknown.length > 0) {
    // Spans and points are known by their ids and times; a log line stored in part would be stored again whole.
    const again =
      unanswered.logRecords === 0 ? `; importing ${sameInputs(files)} again adds what is missing, nothing twice` : "";
    console.error(
      `note: the instance stopped before answering for ${unknown.join(", ")} it was sent: it may have stored some or all of them${again}`,
    );
  }
  if (failedFiles > 0 || partFiles > 0) process.exitCode = 1;
}
