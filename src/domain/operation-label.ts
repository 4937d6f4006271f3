/**
 * An operation as one line of text: its name, and who it calls when the name does not already say
 * it (`POST /api/orders → checkout-api`, but `POST payments` as it is). Shared by the web app and MCP.
 */
export function operationLabel(operation: { name: string; peer: string | null }): string {
  const { name, peer } = operation;
  return peer === null || name === peer || name.endsWith(` ${peer}`) ? name : `${name} → ${peer}`;
}
