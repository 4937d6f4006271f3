// The floor under any Node.js OTLP/HTTP receiver on this machine: a bare `node:http` server that reads
// each request's body and answers 200 `{}`, nothing else. bench/sdk-shaped.mjs times it beside the real
// server on the same requests, so the server's own share of a request reads apart from what the
// machine's loopback, scheduler and Node's HTTP layer cost any server. `--work-ms <n>` spins the CPU for
// n ms before answering, as a receiver's own work would. Prints its URL as the CLI does.
import { createServer } from "node:http";

const flag = process.argv.indexOf("--work-ms");
const workMs = flag === -1 ? 0 : Number(process.argv[flag + 1]);

const server = createServer((request, response) => {
  request.on("data", () => {});
  request.on("end", () => {
    const until = performance.now() + workMs;
    while (performance.now() < until);
    response.writeHead(200, { "Content-Type": "application/json", "Content-Length": "2" });
    response.end("{}");
  });
});
server.listen(0, "127.0.0.1", () => {
  console.log(`  UI:    http://localhost:${server.address().port}`);
});
process.on("SIGTERM", () => process.exit(0));
