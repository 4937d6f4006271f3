/**
 * Lets V8 optimize a function after less of its bytecode has run. Each request of the TraceKit Python
 * SDK (one span, on a new connection, the app's own request waiting) runs the same few hundred
 * functions once, from the listener through the JSON reader to the store; with V8's default budget
 * many of them still ran as bytecode or baseline code, and were still being optimized, a few thousand
 * requests after a start, when a developer's first runs send their spans. A quarter of Node 20's
 * default (67,584 bytes of bytecode) brings them to optimized code in a few hundred requests: on 2,000
 * one-span requests after 200 (bench/sdk-shaped.mjs), the server's CPU per request fell by ~10-15% and
 * its time to the answer by ~25%. Flags are process-wide; this one only moves when V8 optimizes, not
 * what the code does. Set once a start is done (see startApp): V8 refuses a code cache made under
 * other flags, and the chunks a start loads come with one (bin/bundle-loader.js).
 */
import { trySetV8Flag } from "./v8-flags.js";

const INTERRUPT_BUDGET_BYTES = 16_896;

export function optimizeHotCodeSooner(): void {
  // Flags locked: V8's budget stays, and the server starts as it would have.
  trySetV8Flag(`--interrupt-budget=${INTERRUPT_BUDGET_BYTES}`);
}
