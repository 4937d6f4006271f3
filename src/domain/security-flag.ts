import type { SecurityFlag } from "./code-monitoring.js";

/**
 * What a code-monitoring security flag says, in words, for the Snapshots page and MCP's get_snapshot
 * alike: the Node SDK writes `sensitive_data_[REDACTED:email]`, Python `sensitive_data_email`; both
 * read "email in the value".
 */
export function describeSecurityFlag(flag: SecurityFlag): string {
  const type = flag.type;
  if (type === "sensitive_variable_name") return "sensitive variable name";
  const data = /^sensitive_data_(?:\[REDACTED:)?([\w.-]+?)\]?$/.exec(type);
  if (data) return `${(data[1] as string).replace(/_/g, " ")} in the value`;
  return type.replace(/_/g, " ");
}
