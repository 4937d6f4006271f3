// Long fuzz runs against the built server (a child process, memory store): mutated OTLP bodies
// seeded from the real OpenTelemetry JS SDK (bench/fuzz-lib.mjs, bench/fuzz-seeds.mjs), per signal,
// until FUZZ_CASES per signal are sent. Prints the answers per status, the server's RSS, and every
// unexpected answer (saved under bench/out/ to reproduce). CI runs a fixed-seed 20,000 per signal.
// Run after `npm run build`:  node bench/fuzz.mjs
// Knobs: FUZZ_SEED (default: the time), FUZZ_CASES (100000 per signal), FUZZ_SIGNALS (traces,logs,metrics).
import { mkdirSync, writeFileSync } from "node:fs";
import { fuzzCases, prng, runFuzz } from "./fuzz-lib.mjs";
import { fuzzSeeds } from "./fuzz-seeds.mjs";
import { rssMb, startServer } from "./server.mjs";

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const CASES = Number(process.env.FUZZ_CASES ?? 100_000);
const SIGNALS = (process.env.FUZZ_SIGNALS ?? "traces,logs,metrics").split(",");
const fmt = (n) => Math.round(n).toLocaleString("en-US");

const seeds = await fuzzSeeds();
const { child, port } = await startServer(["--max-spans", "20000"]);
const base = `http://127.0.0.1:${port}`;
let failed = false;
try {
  console.log(`seed ${SEED}, ${fmt(CASES)} cases per signal`);
  for (const [index, signal] of SIGNALS.entries()) {
    const started = performance.now();
    const { statuses, unexpected } = await runFuzz({
      base,
      path: `/v1/${signal}`,
      cases: fuzzCases(prng(SEED + index), seeds[signal], CASES),
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `${signal.padEnd(8)} ${fmt(CASES / seconds)} cases/s  ${JSON.stringify(statuses)}  server RSS ${fmt(rssMb(child.pid))} MB`,
    );
    for (const [i, { status, fuzzCase }] of unexpected.entries()) {
      failed = true;
      mkdirSync(new URL("./out/", import.meta.url), { recursive: true });
      const file = new URL(`./out/fuzz-${signal}-${SEED}-${i}.bin`, import.meta.url);
      writeFileSync(file, fuzzCase.body);
      console.log(`  UNEXPECTED ${status} ${JSON.stringify(fuzzCase.headers)} → ${file.pathname}`);
    }
  }
  const health = await fetch(`${base}/api/health`);
  console.log(`health after: ${health.status}`);
  if (health.status !== 200) failed = true;
} finally {
  child.kill("SIGTERM");
}
process.exitCode = failed ? 1 : 0;
