import { type Command, InvalidArgumentError, Option } from "commander";
import { addInstanceOptions, type InstanceOptions } from "./instance.js";
import type { TailView } from "./tail-feed.js";

export interface TailOptions extends InstanceOptions {
  query?: string;
  format: "human" | "json";
}

const VIEWS: readonly TailView[] = ["traces", "errors", "logs"];

function parseView(value: string): TailView {
  if (!(VIEWS as readonly string[]).includes(value)) throw new InvalidArgumentError(`Use one of ${VIEWS.join(", ")}.`);
  return value as TailView;
}

export function addTailOptions(command: Command): Command {
  return addInstanceOptions(command)
    .argument("[view]", `what to show, one line each: ${VIEWS.join(", ")}`, parseView, "traces")
    .option(
      "-q, --query <text>",
      "only what the server's search (q) matches: for traces and errors, text in the trace's span names, status messages, attribute and event values; for logs, text in the body and attribute values",
    )
    .addOption(
      new Option("--format <format>", "human lines, or JSON lines for scripts (one object per line)")
        .choices(["human", "json"])
        .default("human"),
    );
}
