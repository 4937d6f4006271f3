import { describe, expect, it } from "vitest";
import {
  labelsToShow,
  RULER_CHAR_PX,
  rulerTicks,
  windowText,
} from "../../web/src/features/trace-view/time-ruler-model";

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

describe("labelsToShow", () => {
  const box = (left: number, width = 38) => ({ left, right: left + width });

  it("shows every label that clears its neighbours", () => {
    expect(labelsToShow([box(0), box(100), box(200), box(262)])).toEqual([true, true, true, true]);
  });

  it("leaves off the label that would run into the trace's end, not the end's own", () => {
    // "400ms" from 336 to 374, "500ms" drawn to the left of its tick at 420 from 378: 4 px apart.
    expect(labelsToShow([box(0), box(84), box(168), box(252), box(336), box(378)])).toEqual([
      true,
      true,
      true,
      true,
      false,
      true,
    ]);
  });

  it("checks a label against the last one shown, not the one left off", () => {
    expect(labelsToShow([box(0), box(40), box(80), box(200)])).toEqual([true, false, true, true]);
  });

  it("keeps the first label when only the two ends are there and they would meet", () => {
    expect(labelsToShow([box(0), box(30)])).toEqual([true, false]);
    expect(labelsToShow([box(0)])).toEqual([true]);
    expect(labelsToShow([])).toEqual([]);
  });
});
