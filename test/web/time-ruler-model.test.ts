import { describe, expect, it } from "vitest";
import { RULER_CHAR_PX, rulerTicks, windowText } from "../../web/src/features/trace-view/time-ruler-model";

describe("rulerTicks", () => {
  it("labels a 2-3 hour trace at clock steps, each label exact", () => {
    const ruler = rulerTicks({ fromMs: 0, toMs: 10_000_000 }, 560);
    expect(ruler.step).toBe(30 * 60_000);
    expect(ruler.labels).toEqual(["0ms", "30m", "1h", "1h 30m", "2h", "2h 30m"]);
  });

  it("gives labels near an hour the precision their step needs", () => {
    const ruler = rulerTicks({ fromMs: 3_600_000, toMs: 3_600_720 }, 560);
    expect(new Set(ruler.labels).size).toBe(ruler.labels.length);
    expect(ruler.labels[0]).toBe("1h");
    expect(ruler.labels[1]).toMatch(/^1h 0m 0\.\d+s$/);
  });

  it("keeps labels from touching, the last one (drawn to its tick's left) included", () => {
    for (const width of [300, 480, 560, 700, 840, 1000, 1400]) {
      for (const window of [
        { fromMs: 0, toMs: 10_000_000 },
        { fromMs: 0, toMs: 9_990_000 },
        { fromMs: 3_600_000, toMs: 3_600_720 },
        { fromMs: 0, toMs: 5_025_678 },
      ]) {
        const ruler = rulerTicks(window, width);
        const length = window.toMs - window.fromMs;
        const boxes = ruler.ticks.map((tick, i) => {
          const x = ((tick - window.fromMs) / length) * width;
          const w = ruler.labels[i]!.length * RULER_CHAR_PX;
          return x / width > 0.92 ? [x - w, x] : [x, x + w];
        });
        for (let i = 1; i < boxes.length; i++) expect(boxes[i - 1]![1]).toBeLessThan(boxes[i]![0]!);
      }
    }
  });
});

describe("windowText", () => {
  it("tells the two ends of a short window near an hour apart", () => {
    expect(windowText({ fromMs: 3_600_000, toMs: 3_600_720 })).toBe("1h – 1h 0m 0.72s");
    expect(windowText({ fromMs: 674.3, toMs: 924.2 })).toBe("674ms – 924ms");
    // Windows under 100 µs past the first second, as deep as zoom goes: the two ends still differ.
    expect(windowText({ fromMs: 4000.0001, toMs: 4000.0501 })).toBe("4s – 4.00005s");
    expect(windowText({ fromMs: 3_600_000.2, toMs: 3_600_000.25 })).toBe("1h 0m 0.0002s – 1h 0m 0.00025s");
  });
});
