/** How many bytes base64 text stands for (a value sent as OTLP bytes reaches the API as base64). Pure. */
export function base64ByteCount(base64: string): number {
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor((base64.length * 3) / 4) - padding);
}
