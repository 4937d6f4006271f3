import { AppError } from "../domain/errors.js";

/** A place in the log order: (time, arrival number), ascending. Both orders page by it. */
export interface LogPosition {
  timeUnixNano: bigint;
  seq: number;
}

export function encodeLogCursor(position: LogPosition): string {
  return `${position.timeUnixNano}_${position.seq}`;
}

export function decodeLogCursor(raw: string): LogPosition {
  const match = /^(\d{1,20})_(\d{1,15})$/.exec(raw);
  if (!match) throw new AppError(400, "invalid_cursor", `cursor "${raw.slice(0, 80)}" is not one this server issued`);
  return { timeUnixNano: BigInt(match[1] as string), seq: Number(match[2]) };
}

/** Ascending (time, seq): negative when a comes first. */
export function compareLogPositions(aTime: bigint, aSeq: number, bTime: bigint, bSeq: number): number {
  if (aTime !== bTime) return aTime < bTime ? -1 : 1;
  return aSeq - bSeq;
}
