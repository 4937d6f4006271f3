import { AppError } from "../domain/errors.js";

/** A position in the newest-first trace order: (start time, trace id), both descending. */
export interface TraceCursor {
  startTimeUnixNano: bigint;
  traceId: string;
}

export function encodeCursor(cursor: TraceCursor): string {
  return `${cursor.startTimeUnixNano}_${cursor.traceId}`;
}

export function decodeCursor(raw: string): TraceCursor {
  const match = /^(\d{1,20})_([0-9a-f]{32})$/.exec(raw);
  if (!match) throw new AppError(400, "invalid_cursor", `cursor "${raw.slice(0, 80)}" is not one this server issued`);
  return { startTimeUnixNano: BigInt(match[1] as string), traceId: match[2] as string };
}

/** True when (start, id) comes after the cursor in newest-first order. */
export function isAfterCursor(startTimeUnixNano: bigint, traceId: string, cursor: TraceCursor): boolean {
  return (
    startTimeUnixNano < cursor.startTimeUnixNano ||
    (startTimeUnixNano === cursor.startTimeUnixNano && traceId < cursor.traceId)
  );
}
