import { describe, expect, it } from "vitest";
import { eventTicks } from "../../web/src/features/trace-view/event-ticks";

const events = (names: string[]) => names.map((name) => ({ name }));

describe("eventTicks", () => {
  it("marks every event of a span with few", () => {
    expect(eventTicks(events(["log", "exception"]), [1, 2])).toEqual([
      { offsetMs: 1, exception: false },
      { offsetMs: 2, exception: true },
    ]);
  });

  it("keeps an exception past the 64th event, dropping ordinary ones instead", () => {
    const names = Array.from({ length: 200 }, (_, i) => (i === 150 ? "exception" : "log"));
    const ticks = eventTicks(
      events(names),
      names.map((_, i) => i),
    );
    expect(ticks).toHaveLength(64);
    expect(ticks.filter((tick) => tick.exception)).toEqual([{ offsetMs: 150, exception: true }]);
    // The ordinary ones kept are the first 63, and the marks stay in event order.
    expect(ticks.slice(0, 63).map((tick) => tick.offsetMs)).toEqual(Array.from({ length: 63 }, (_, i) => i));
  });

  it("keeps at most 64 marks when exceptions alone are more", () => {
    const names = Array.from({ length: 100 }, () => "exception");
    expect(
      eventTicks(
        events(names),
        names.map((_, i) => i),
      ),
    ).toHaveLength(64);
  });
});
