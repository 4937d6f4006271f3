// A child process that sends one OTLP/gRPC export for bench/large-requests.mjs, so that the gRPC
// client's own work (copying and framing a 30 MB message) does not run on the event loop that times
// /api/health. The parent sends { port, service, gzip, body } over IPC (advanced serialization),
// waits for "ready", then sends "go"; the answer comes back as { error, ms }.
import { exportClient } from "./grpc-client.mjs";

let job = null;
process.on("message", async (message) => {
  if (message !== "go") {
    job = message;
    // Made now, but it connects with the export, as the client made in the bench process did.
    job.client = exportClient(job.port, job.service, { gzip: job.gzip });
    job.body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
    process.send("ready");
    return;
  }
  const started = performance.now();
  const { error } = await job.client.send(job.body);
  const ms = performance.now() - started;
  job.client.close();
  process.send({ error: error ? { code: error.code, details: error.details } : null, ms }, () => process.exit(0));
});
