/**
 * Where a breakpoint or a snapshot is in the app's code. The Node SDK 1.7 registers its own capture
 * call (`TracekitClient.captureSnapshot` in its `client.js`) as every location; the server then reads
 * the real caller from each capture's stack (`calledFrom`), and that is what is shown. Pure.
 */
import { isSdkCaptureCall } from "../../../../src/domain/code-location";
import type { BreakpointJson, CodeLocationJson } from "../../../../src/protocol";
import { showBidiControls } from "../../lib/bidi-controls";

export interface Located {
  filePath: string;
  functionName: string;
  lineNumber: number;
  calledFrom: CodeLocationJson | null;
}

/** The place to show, or null while only the SDK's own capture call is known (until a capture says more). */
export function placeOf(item: Located): CodeLocationJson | null {
  if (item.calledFrom != null) return item.calledFrom;
  // Made on the page by its label: no SDK has called a capture with that label yet.
  if (item.filePath === "" || isSdkCaptureCall(item)) return null;
  return { filePath: item.filePath, functionName: item.functionName, lineNumber: item.lineNumber };
}

export function baseName(path: string): string {
  const at = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return at === -1 ? path : path.slice(at + 1);
}

export function functionText(name: string): string {
  return name || "(anonymous)";
}

/** What the SDK registered, when it is not what is shown: for a title. */
export function registeredNote(item: Located): string | null {
  if (item.filePath === "") {
    return "Made on this page by its label: the SDK's first capture call with this label places it there.";
  }
  if (!isSdkCaptureCall(item)) return null;
  const registered = `${functionText(item.functionName)} at ${item.filePath}:${item.lineNumber}`;
  return item.calledFrom == null
    ? `The SDK registered its own capture call (${registered}) as the location: the line of the app that calls it shows with its next capture.`
    : `Read from the capture's stack: the SDK registered its own capture call (${registered}) as the location.`;
}

/**
 * A title for a shown place: its whole path and line, and what the SDK registered when that differs.
 * A title holds only text, so the bidirectional controls an SDK's names may hold are written as
 * marks ("⟨RLO⟩"), as UserText shows them on the page, and reorder nothing.
 */
export function placeTitle(item: Located): string {
  const where = placeOf(item) === null ? null : whereText(item);
  return showBidiControls([where, registeredNote(item)].filter((part) => part !== null).join("\n"));
}

/**
 * A breakpoint as a choice of the list's Breakpoint filter (an <option>, which holds only text, so
 * bidirectional controls are written as marks): its label, or "(no label)" as the table says, with
 * where it is when that is known, and its service.
 */
export function breakpointChoiceText(breakpoint: BreakpointJson): string {
  const place = placeOf(breakpoint) === null ? "" : ` at ${whereText(breakpoint, true)}`;
  const name = breakpoint.label === "" ? `(no label)${place}` : breakpoint.label;
  return showBidiControls(`${name} · ${breakpoint.service}`);
}

/**
 * `fn · path:line` (`fn:line` when `short`, or `file:line` for an anonymous function, as an Express
 * route handler is: "(anonymous):29" would not say where), or the SDK's registered call when that is
 * all there is.
 */
export function whereText(item: Located, short = false): string {
  const place = placeOf(item) ?? item;
  const fn = functionText(place.functionName);
  if (!short) return `${fn} · ${place.filePath}:${place.lineNumber}`;
  const name = place.functionName === "" && place.filePath !== "" ? baseName(place.filePath) : fn;
  return `${name}:${place.lineNumber}`;
}
