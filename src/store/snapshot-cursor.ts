import { AppError } from "../domain/errors.js";

/** Snapshot pages are positions in arrival order: the cursor is the last listed snapshot's arrival number. */
export function encodeSnapshotCursor(seq: number): string {
  return String(seq);
}

export function decodeSnapshotCursor(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) {
    throw new AppError(400, "invalid_cursor", `cursor "${raw.slice(0, 80)}" is not one this server issued`);
  }
  return Number(raw);
}
