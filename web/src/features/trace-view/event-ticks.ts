/**
 * Which of a span's events get a mark on its bar. Past a few dozen the marks merge into a smear, so
 * only so many are drawn; exceptions first, so a failure late in a span with hundreds of log-like
 * events still shows. Pure.
 */

/** Beyond this many events the ticks would merge into a smear anyway. */
export const MAX_EVENT_TICKS = 64;

export interface EventTick {
  offsetMs: number;
  exception: boolean;
}

/** Up to `max` marks: every exception (up to `max`), then the other events in order, in event order. */
export function eventTicks(
  events: readonly { name: string }[],
  offsetsMs: readonly number[],
  max = MAX_EVENT_TICKS,
): EventTick[] {
  const count = Math.min(events.length, offsetsMs.length);
  const all: EventTick[] = [];
  for (let i = 0; i < count; i++) all.push({ offsetMs: offsetsMs[i]!, exception: events[i]!.name === "exception" });
  if (count <= max) return all;
  const exceptions = all.filter((tick) => tick.exception).length;
  let othersLeft = Math.max(0, max - exceptions);
  let exceptionsLeft = max;
  const kept: EventTick[] = [];
  for (const tick of all) {
    if (tick.exception ? exceptionsLeft-- > 0 : othersLeft-- > 0) kept.push(tick);
  }
  return kept;
}
