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

/**
 * A file flag's parser that refuses a value that is a flag: `--db --no-open` (the file name forgotten)
 * would otherwise create a database named "--no-open" and drop the flag. A file so named is `./--no-open`.
 */
export function fileArgument(value: string): string {
  if (value.startsWith("--")) {
    throw new InvalidArgumentError(`Give a file name here, not a flag (a file so named is ./${value}).`);
  }
  return value;
}
