/** Asks whatever listens on host:port whether it is a tracekit-local; null when it is not (or does not answer in time). */
export async function probeExistingInstance(
  host: string,
  port: number,
): Promise<{ url: string; version: string } | null> {
  const hostPart = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  try {
    const response = await fetch(`http://${hostPart}:${port}/api/health`, {
      signal: AbortSignal.timeout(3000),
    });
    if (!response.ok) return null;
    const body = (await response.json()) as { name?: string; version?: string };
    if (body.name !== "tracekit-local") return null;
    const shown = host === "127.0.0.1" || host === "0.0.0.0" || host === "::" ? "localhost" : hostPart;
    return { url: `http://${shown}:${port}`, version: body.version ?? "?" };
  } catch {
    return null;
  }
}
