import type { ImportResponse } from "../../../../src/protocol";
import { formatCount } from "../../lib/format";

export interface ImportOutcome {
  tone: "ok" | "warning" | "error";
  text: string;
}

function plural(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? "" : "s"}`;
}

/** What a dropped file's import stored, in one sentence (and what went wrong, when something did). */
export function importOutcome(fileName: string, answer: ImportResponse): ImportOutcome {
  const held = answer.alreadyStored;
  const heldParts: string[] = [];
  if (held.spans > 0) heldParts.push(plural(held.spans, "span"));
  if (held.logRecords > 0) heldParts.push(plural(held.logRecords, "log record"));
  if (held.dataPoints > 0) heldParts.push(plural(held.dataPoints, "metric point"));
  const nothingNew = answer.spans === 0 && answer.logRecords === 0 && answer.dataPoints === 0;
  let text: string;
  if (nothingNew && heldParts.length > 0) {
    // The file (or its items) was imported before.
    text = `Nothing new in ${fileName}: ${heldParts.join(", ")} already stored`;
  } else {
    const parts: string[] = [];
    if (answer.spans > 0 || nothingNew)
      parts.push(`${plural(answer.spans, "span")} in ${plural(answer.traces, "trace")}`);
    if (answer.logRecords > 0) parts.push(plural(answer.logRecords, "log record"));
    if (answer.dataPoints > 0) parts.push(plural(answer.dataPoints, "metric point"));
    text = `Imported ${parts.join(", ")} from ${fileName}`;
    if (heldParts.length > 0) text += ` (${heldParts.join(", ")} already stored)`;
  }
  if (answer.rejected > 0) text += `; ${formatCount(answer.rejected)} rejected`;
  const evicted = evictionNote(answer.evicted);
  if (evicted !== null) text += `; ${evicted}`;
  const unreadable = answer.errors.filter((e) => e.rejectedItems === undefined);
  const first = unreadable[0] ?? answer.errors[0];
  if (first !== undefined) {
    const more = answer.errors.length > 1 ? ` (and ${plural(answer.errors.length - 1, "more problem")})` : "";
    text += `. ${first.where === "" ? "" : `${first.where}: `}${first.message}${more}`;
  }
  const warn = unreadable.length > 0 || answer.rejected > 0 || evicted !== null;
  return { tone: warn ? "warning" : "ok", text };
}

/**
 * What retention evicted meanwhile: the counts above read as if all were kept, while the oldest traces
 * (perhaps the file's own) are gone.
 */
function evictionNote(evicted: ImportResponse["evicted"]): string | null {
  const parts: string[] = [];
  if (evicted.traces > 0) parts.push(`${plural(evicted.traces, "trace")} (${plural(evicted.spans, "span")})`);
  if (evicted.logRecords > 0) parts.push(plural(evicted.logRecords, "log record"));
  if (parts.length === 0) return null;
  const flags = [evicted.traces > 0 ? "--max-spans" : "", evicted.logRecords > 0 ? "--max-logs" : ""];
  const bound = flags.filter((flag) => flag !== "").join(" / ");
  return `the oldest ${parts.join(" and ")} were evicted to stay within ${bound}`;
}

/** The notice for a file the server refused as a whole. */
export function importFailure(fileName: string, reason: string): ImportOutcome {
  return { tone: "error", text: `Could not import ${fileName}: ${reason}` };
}

/** Files named after the one importing are listed up to this many; the rest are counted. */
const QUEUED_NAMED = 3;

/**
 * The notice while a file imports: its name, how far it is (a share, when known), and the files
 * dropped after it that wait their turn.
 */
export function importingNotice(fileName: string, share: number | null, queued: readonly string[]): string {
  let text = `Importing ${fileName}`;
  if (share !== null) text += ` (${Math.min(99, Math.floor(share * 100))}%)`;
  text += "…";
  if (queued.length > 0) {
    const named = queued.slice(0, QUEUED_NAMED).join(", ");
    const more = queued.length - QUEUED_NAMED;
    text += ` then ${named}${more > 0 ? ` and ${plural(more, "more file")}` : ""}`;
  }
  return text;
}

/** True when a drag carries files (not text or a link dragged within the page). */
export function carriesFiles(types: readonly string[] | null | undefined): boolean {
  return types?.includes("Files") === true;
}
