import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { StoreOpenError } from "../store/open-store.js";
import type { ExportSelection } from "../transfer/export.js";
import { count } from "./count.js";
import type { ExportOptions } from "./export-options.js";
import { requireInstance } from "./instance.js";

function selectionOf(options: ExportOptions): ExportSelection {
  if (options.trace !== undefined) return { traceIds: options.trace };
  const selection: ExportSelection = { query: {} };
  if (options.query !== undefined && options.query.trim() !== "") selection.query = { q: options.query.trim() };
  if (options.service !== undefined) selection.query = { ...selection.query, service: options.service };
  if (options.errors === true) selection.query = { ...selection.query, errorsOnly: true };
  if (options.since !== undefined) {
    const sinceUnixNano = BigInt(Math.round(Date.now() - options.since)) * 1_000_000n;
    selection.query = { ...selection.query, sinceUnixNano };
  }
  return selection;
}

/** The GET /api/export query of a selection. */
function exportQuery(selection: ExportSelection): URLSearchParams {
  const params = new URLSearchParams();
  for (const id of selection.traceIds ?? []) params.append("trace", id);
  if (selection.query?.q !== undefined) params.set("q", selection.query.q);
  if (selection.query?.service !== undefined) params.set("service", selection.query.service);
  if (selection.query?.errorsOnly === true) params.set("status", "error");
  // The API's time window is in unix milliseconds.
  if (selection.query?.sinceUnixNano !== undefined)
    params.set("since", String(selection.query.sinceUnixNano / 1_000_000n));
  return params;
}

/** Writes with backpressure. */
async function write(out: Writable, data: string | Uint8Array): Promise<void> {
  if (!out.write(data)) await new Promise((resolve) => out.once("drain", resolve));
}

function fail(message: string, code = 1): never {
  console.error(`error: ${message}`);
  process.exit(code);
}

export async function runExport(options: ExportOptions): Promise<void> {
  const selection = selectionOf(options);
  const toStdout = options.output === undefined || options.output === "-";
  const out: Writable = toStdout ? process.stdout : createWriteStream(options.output as string);
  if (toStdout) {
    // A reader that stops early (`| head`) is not an error.
    out.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "EPIPE" ? process.exit(0) : fail(`cannot write to stdout: ${error.message}`),
    );
  } else {
    out.on("error", (error) => fail(`cannot write ${options.output}: ${error.message}`));
  }
  let traces = 0;

  if (options.db !== undefined) {
    const { openOffline } = await import("../offline.js");
    const { exportTraceLines } = await import("../transfer/export.js");
    let offline: Awaited<ReturnType<typeof openOffline>>;
    try {
      offline = await openOffline({ dbPath: options.db, create: false });
    } catch (error) {
      if (error instanceof StoreOpenError) fail(error.message);
      throw error;
    }
    try {
      if (selection.traceIds !== undefined) {
        const missing = selection.traceIds.filter((id) => offline.store.getTrace(id) === undefined);
        if (missing.length > 0) fail(`no trace ${missing.join(", ")} in ${options.db}`);
      }
      for (const line of exportTraceLines(offline.store, selection)) {
        await write(out, `${line}\n`);
        traces++;
      }
    } finally {
      offline.close();
    }
  } else {
    const { url } = await requireInstance(options);
    const response = await fetch(`${url}/api/export?${exportQuery(selection)}`);
    if (!response.ok || response.body === null) {
      const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
      fail(body?.error?.message ?? `${url} answered ${response.status}`);
    }
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      for (const byte of chunk) if (byte === 0x0a) traces++;
      await write(out, chunk);
    }
  }

  if (!toStdout) {
    out.end();
    await finished(out);
  }
  const where = toStdout ? "" : ` to ${options.output}`;
  console.error(`exported ${count(traces)} trace${traces === 1 ? "" : "s"}${where}`);
}
