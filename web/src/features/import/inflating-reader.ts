/** What a stream reader hands out: a chunk, or the end. */
type ReadResult = ReadableStreamReadResult<Uint8Array>;

/** A failure to inflate the gzip data (damaged, or cut short), as opposed to one reading the file. */
export class InflateError extends Error {}

/** A failed read of the file, carried as a value (so a rejection can only be the inflater's). */
class FileReadError {
  constructor(readonly reason: unknown) {}
}

/** What feeding one piece of input came to. */
type Fed = "fed" | "end" | FileReadError;

/**
 * Reads a gzip stream inflated, and a gzip cut short (a download that broke off) up to its cut: every
 * byte inflated before it, then an InflateError.
 *
 * DecompressionStream fails when its input ends short, and a stream that fails drops the chunks it
 * held for its reader: behind a pipe, all that one large piece of input inflated to (megabytes) was
 * lost. Here a read of the output is always waiting while input goes in, one piece at a time, and the
 * end of the input is told only when that read is still waiting: then nothing inflated is held (a
 * chunk handed to a waiting read is the read's at once), so the failure drops nothing.
 */
export class InflatingReader {
  private readonly input: ReadableStreamDefaultReader<Uint8Array>;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private readonly output: ReadableStreamDefaultReader<Uint8Array>;
  /** The read of the output under way, kept across calls so no chunk goes to a read nobody awaits. */
  private pending: Promise<ReadResult> | null = null;
  /** The next piece of input being read and written, until it is in. */
  private feeding: Promise<Fed> | null = null;
  private closed = false;

  constructor(source: ReadableStream<Uint8Array>) {
    const inflate = new DecompressionStream("gzip") as ReadableWritablePair<Uint8Array, Uint8Array>;
    this.input = source.getReader();
    this.writer = inflate.writable.getWriter();
    this.output = inflate.readable.getReader();
  }

  async read(): Promise<ReadResult> {
    try {
      return await this.next();
    } catch (error) {
      // Only the output read fails (a failed read of the file comes as a Fed, thrown below).
      if (error instanceof FileReadError) throw error.reason;
      throw new InflateError(error instanceof Error ? error.message : String(error));
    }
  }

  private async next(): Promise<ReadResult> {
    this.pending ??= this.output.read();
    for (;;) {
      if (this.closed) break;
      this.feeding ??= this.feed();
      // Listed first, an output read already settled wins over a feed settled as well.
      const next = await Promise.race([this.pending, this.feeding]);
      if (next instanceof FileReadError) throw next;
      if (next === "fed") {
        this.feeding = null;
      } else if (next === "end") {
        // The output read is still waiting, so nothing inflated is held: the end can be told (a stream
        // cut short fails now, and the waiting read hears it).
        this.feeding = null;
        this.closed = true;
        this.writer.close().catch(() => undefined);
      } else {
        this.pending = null;
        return next;
      }
    }
    const last = this.pending;
    this.pending = null;
    return last;
  }

  /** Reads the next piece of input and writes it to the inflater ("end": there is none). */
  private async feed(): Promise<Fed> {
    let piece: ReadResult;
    try {
      piece = await this.input.read();
    } catch (reason) {
      return new FileReadError(reason);
    }
    if (piece.done) return "end";
    // Done once inflated (its output handed to the waiting read or held for the next), or refused: the
    // output read then fails with the reason.
    await this.writer.write(piece.value).catch(() => undefined);
    return "fed";
  }

  async cancel(): Promise<void> {
    this.pending?.catch(() => undefined);
    await this.input.cancel();
    await this.writer.abort().catch(() => undefined);
  }
}
