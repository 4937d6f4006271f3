/** A stable colour per service name, distinct enough for a dozen services side by side. */
const PALETTE = [
  "#4f7cf0",
  "#16a394",
  "#e0791a",
  "#a855f7",
  "#d6457a",
  "#5a9e2f",
  "#0ea5e9",
  "#c4912a",
  "#7c6cf0",
  "#e0533a",
  "#2f9e6e",
  "#b0559a",
];

export function serviceColor(service: string): string {
  let hash = 2166136261;
  for (let i = 0; i < service.length; i++) {
    hash ^= service.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return PALETTE[(hash >>> 0) % PALETTE.length] as string;
}
