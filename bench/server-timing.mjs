// Preloaded into a benchmarked server (`node --import ./bench/server-timing.mjs …`): records how long
// the server spends on each POST /v1/traces, from its headers being parsed to the answer being handed
// to the socket (the call of `response.end`, whose write reaches the sender), and, beside it, to the
// answer's write having returned (the response's `finish`). It prints the percentiles of both as one
// JSON line on SIGUSR2, with the CPU time the process used since the last one (user + system, in ms:
// unlike wall time, it does not grow when other processes take the cores), the main thread's alone
// (the one that receives, decodes and stores; at 10 ms resolution) and its involuntary context
// switches per request.
//
// Why two times: on a machine whose cores are busy, the write that hands over the answer wakes the
// waiting sender, and the kernel often gives the sender the core at once, in the middle of the write
// (an involuntary context switch of the server's thread). The write then returns only once the sender
// has read the answer and gone back to waiting: that wait is the sender's own time, not the server's,
// and it is what separates the two numbers.
import diagnostics from "node:diagnostics_channel";
import { readFileSync } from "node:fs";
import { ServerResponse } from "node:http";

const started = new WeakMap();
let handed = [];
let finished = [];
let cpuSince = process.cpuUsage();

/** The main thread's involuntary context switches so far, or null where /proc does not say. */
function involuntarySwitches() {
  try {
    const status = readFileSync(`/proc/self/task/${process.pid}/status`, "utf8");
    const match = /^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status);
    return match === null ? null : Number(match[1]);
  } catch {
    return null;
  }
}
let switchesSince = involuntarySwitches();

/** The main thread's CPU time so far in ms (user + system), or null where /proc does not say. */
function mainThreadCpuMs() {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}
let mainCpuSince = mainThreadCpuMs();

const end = ServerResponse.prototype.end;
ServerResponse.prototype.end = function timedEnd(...args) {
  const t = started.get(this.req);
  if (t !== undefined) handed.push(Number(process.hrtime.bigint() - t) / 1e6);
  return end.apply(this, args);
};

diagnostics.subscribe("http.server.request.start", ({ request }) => {
  if (request.method === "POST" && request.url === "/v1/traces") started.set(request, process.hrtime.bigint());
});
diagnostics.subscribe("http.server.response.finish", ({ request }) => {
  const t = started.get(request);
  if (t !== undefined) finished.push(Number(process.hrtime.bigint() - t) / 1e6);
});

process.on("SIGUSR2", () => {
  const at = (times, p) => {
    times.sort((a, b) => a - b);
    return times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] ?? 0;
  };
  const cpu = process.cpuUsage(cpuSince);
  cpuSince = process.cpuUsage();
  const switches = involuntarySwitches();
  const mainCpu = mainThreadCpuMs();
  const count = handed.length;
  const line = {
    count,
    p50: at(handed, 50),
    p99: at(handed, 99),
    writtenP50: at(finished, 50),
    writtenP99: at(finished, 99),
    cpuMs: (cpu.user + cpu.system) / 1000,
    mainCpuMs: mainCpu === null || mainCpuSince === null ? null : mainCpu - mainCpuSince,
    switchesPerRequest:
      switches === null || switchesSince === null || count === 0 ? null : (switches - switchesSince) / count,
  };
  switchesSince = switches;
  mainCpuSince = mainCpu;
  process.stdout.write(`SERVER-TIMING ${JSON.stringify(line)}\n`);
  handed = [];
  finished = [];
});
