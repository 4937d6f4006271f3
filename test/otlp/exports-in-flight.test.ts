import { describe, expect, it } from "vitest";
import { ExportStoppedError, ExportsInFlight, runPaced, storeInSlices } from "../../src/otlp/limits.js";

const spin = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe("ExportsInFlight", () => {
  it("settles at once when no export runs, and the exports go on unstopped", async () => {
    const exports = new ExportsInFlight();
    await exports.settle(1000);
    expect(exports.signal.aborted).toBe(false);
  });

  it("waits for an export that ends within the grace, without stopping it", async () => {
    const exports = new ExportsInFlight();
    const end = exports.begin();
    const stored: number[] = [];
    const work = storeInSlices(
      Array.from({ length: 5000 }, (_, i) => i),
      (slice) => {
        spin(2);
        stored.push(...slice);
      },
      { stop: exports.signal },
    ).finally(end);
    await exports.settle(60_000);
    await work;
    expect(stored).toHaveLength(5000);
    expect(exports.signal.aborted).toBe(false);
  });

  it("stops an export past the grace at its next slice: it rejects with ExportStoppedError, part stored", async () => {
    const exports = new ExportsInFlight();
    const end = exports.begin();
    let stored = 0;
    const work = storeInSlices(
      Array.from({ length: 100_000 }, (_, i) => i),
      (slice) => {
        spin(5);
        stored += slice.length;
      },
      { stop: exports.signal },
    ).finally(end);
    const outcome = work.then(
      () => "stored",
      (error: unknown) => error,
    );
    await exports.settle(20);
    expect(await outcome).toBeInstanceOf(ExportStoppedError);
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(100_000);
    // A decode begun after that stops at its first pause.
    function* steps(): Generator<void, string, void> {
      for (let i = 0; i < 100; i++) {
        spin(1);
        yield;
      }
      return "decoded";
    }
    await expect(runPaced(steps(), undefined, exports.signal)).rejects.toBeInstanceOf(ExportStoppedError);
  });
});
