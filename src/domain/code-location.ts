/**
 * Code locations in the stack traces the TraceKit SDKs send with a snapshot, and the caller a capture
 * really came from. Pure, so each SDK's format is tested.
 */

/** A place in the code: a file, a line in it, and the function there ("" when it has no name). */
export interface CodeLocation {
  filePath: string;
  functionName: string;
  lineNumber: number;
}

/** One line of a stack trace read as a frame: the function named on it, and its `file:line[:column]`. */
export interface StackFrameText {
  /** The function, when the line names one. */
  fn: string | null;
  /** `file:line[:column]` as written. */
  location: string;
  filePath: string;
  lineNumber: number;
}

/** `file:line` or `file:line:column` (a Windows drive's colon stays in the file). */
const FILE_LINE = /^(.+?):(\d+)(?::\d+)?$/;

/**
 * A stack trace line as the SDKs write it, split into the function it names and where: Node's
 * `at fn (where)` and `at where` (also `at async fn (…)`; `where` may be `<anonymous>` or `index 0`),
 * the Python SDK's `fn at file:line` and `file:line`. Null for any other line (a heading such as `Error`).
 */
export function stackLineParts(text: string): { fn: string | null; location: string } | null {
  const line = text.trim();
  const node = /^at (?:async )?(?:(.+?) \((.+)\)|(.+))$/.exec(line);
  if (node) return { fn: node[1] ?? null, location: (node[2] ?? node[3] ?? "").trim() };
  const python = /^(?:(\S.*?) at )?(\S.*:\d+)$/.exec(line);
  return python ? { fn: python[1] ?? null, location: python[2] as string } : null;
}

/**
 * A stack trace line read as a frame with a file and line (`stackLineParts`). Null for any other
 * line (a heading such as `Error`, `at native`, `at Array.map (<anonymous>)`).
 */
export function parseStackLine(text: string): StackFrameText | null {
  const parts = stackLineParts(text);
  const place = parts === null ? null : FILE_LINE.exec(parts.location);
  if (parts === null || place === null) return null;
  return { ...parts, filePath: place[1] as string, lineNumber: Number(place[2]) };
}

/**
 * The SDK's own capture call, named where the caller should be: the Node SDK 1.7 reads the frame one
 * too close to itself, so every location it registers is `TracekitClient.captureSnapshot` in its own
 * `client.js`, whatever line of the app called it. (A Python SDK doing the same would name
 * `capture_snapshot` in its `tracekit` package; an app's own function of that name is left alone.)
 */
const NODE_CAPTURE_CALL = /^TracekitClient\.(?:captureSnapshot|capture_snapshot)$/;
/** The function the Node SDK 1.7 registers as every location, and finds its breakpoints by (with the label). */
export const NODE_SDK_CAPTURE_FUNCTION = "TracekitClient.captureSnapshot";
const PYTHON_PACKAGE = /[\\/]tracekit[\\/][^\\/]+\.py$/;

/** Whether a registered location is the SDK's own capture call rather than the app's code. */
export function isSdkCaptureCall(location: Pick<CodeLocation, "functionName" | "filePath">): boolean {
  return (
    NODE_CAPTURE_CALL.test(location.functionName) ||
    (location.functionName === "capture_snapshot" && PYTHON_PACKAGE.test(location.filePath))
  );
}

/**
 * Where a capture came from when the SDK named its own capture call as the location: the frame right
 * after that one in the capture's stack trace. Null when the location is the app's own already, or the
 * stack does not hold the frame it names.
 */
export function callerOf(stackTrace: string, reported: CodeLocation): CodeLocation | null {
  if (!isSdkCaptureCall(reported)) return null;
  const frames = stackTrace.split(/\r?\n/).flatMap((line) => parseStackLine(line) ?? []);
  const at = frames.findIndex(
    (frame) => frame.filePath === reported.filePath && frame.lineNumber === reported.lineNumber,
  );
  const caller = at === -1 ? undefined : frames[at + 1];
  if (caller === undefined) return null;
  return { filePath: caller.filePath, functionName: caller.fn ?? "", lineNumber: caller.lineNumber };
}
