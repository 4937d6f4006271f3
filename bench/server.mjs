// Starts the built tracekit-local for a benchmark on a free port (memory store unless args say
// otherwise) and resolves once it prints its URL. `onLine` sees every later line of its output.
import { spawn } from "node:child_process";

const BIN = new URL("../bin/tracekit-local.js", import.meta.url).pathname;

export function startServer(args = [], { nodeArgs = [], onLine = () => {} } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, BIN, "--port", "0", "--no-open", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    let port = null;
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const lines = out.split("\n");
      out = lines.pop() ?? "";
      for (const line of lines) {
        const match = port === null ? /UI:\s+http:\/\/[^\s]+:(\d+)/.exec(line) : null;
        if (match) {
          port = Number(match[1]);
          resolve({ child, port });
        } else if (port !== null) {
          onLine(line);
        }
      }
    });
    child.on("exit", (code) => {
      if (port === null) reject(new Error(`server exited ${code} before listening`));
    });
  });
}
