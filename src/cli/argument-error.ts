import { InvalidArgumentError } from "commander";

/**
 * A usage error for a flag's value whose reason was written to follow the flag's name
 * ("must be a port number…"): commander prints it after "argument 'x' is invalid.", so it is made
 * a sentence of its own there, as the other commands' reasons are ("Use a duration such as…").
 */
export function invalidArgument(reason: string): InvalidArgumentError {
  const text = reason.replace(/^--[\w-]+ /, "");
  const sentence = `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
  return new InvalidArgumentError(/[.!?]$/.test(sentence) ? sentence : `${sentence}.`);
}
