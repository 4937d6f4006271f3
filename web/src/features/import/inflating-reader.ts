/** What a stream reader hands out: a chunk, or the end. */
type ReadResult = ReadableStreamReadResult<Uint8Array>;

/** Resolves after the tasks queued so far (a macrotask): later than every promise already settled. */
const afterQueuedTasks = () => new Promise<"later">((resolve) => setTimeout(resolve, 0, "later"));

/**
 * Reads a gzip stream inflated, and a gzip cut short (a download that broke off) up to its cut: every
 * byte inflated before it, then the failure.
 *
 * DecompressionStream fails when its input ends short, and a stream that fails drops the chunks it
 * held for its reader: behind a pipe, all that one large piece of input inflated to (megabytes) was
 * lost. Here the input goes in one piece at a time, each once all the last one inflated to is read,
 * and the end of the input is told only then, so nothing is held when it fails.
 */
export class InflatingReader {
  private readonly input: ReadableStreamDefaultReader<Uint8Array>;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private readonly output: ReadableStreamDefaultReader<Uint8Array>;
  /** The read of the output under way, kept across calls so no chunk goes to a read nobody awaits. */
  private pending: Promise<ReadResult> | null = null;
  /** The write of the last piece of input, until it is inflated. */
  private writing: Promise<void> | null = null;
  private closed = false;

  constructor(source: ReadableStream<Uint8Array>) {
    const inflate = new DecompressionStream("gzip") as ReadableWritablePair<Uint8Array, Uint8Array>;
    this.input = source.getReader();
    this.writer = inflate.writable.getWriter();
    this.output = inflate.readable.getReader();
  }

  async read(): Promise<ReadResult> {
    this.pending ??= this.output.read();
    for (;;) {
      // Inflated bytes waiting settle the read at once, before a later task runs.
      const next = await Promise.race([this.pending, afterQueuedTasks()]);
      if (next !== "later") {
        this.pending = null;
        return next;
      }
      if (this.writing !== null) {
        // Its bytes are inflated (and waiting, or none) once the write is done.
        const writing = this.writing;
        this.writing = null;
        await writing;
        continue;
      }
      if (this.closed) break;
      const piece = await this.input.read();
      if (piece.done) {
        // Nothing inflated is waiting: the end can be told (a stream cut short fails now).
        this.closed = true;
        this.writer.close().catch(() => undefined);
      } else {
        this.writing = this.writer.write(piece.value).catch(() => undefined);
      }
    }
    const last = this.pending;
    this.pending = null;
    return last;
  }

  async cancel(): Promise<void> {
    this.pending?.catch(() => undefined);
    await this.input.cancel();
    await this.writer.abort().catch(() => undefined);
  }
}
