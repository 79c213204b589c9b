// The contract every CLI command implements. Commands are thin: parse, call the public API, format.

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** stdout is a terminal (colour allowed unless NO_COLOR is set). */
  isTTY: boolean;
  /** Standard input, for commands that read logs from "-". */
  stdin: NodeJS.ReadableStream;
}

export interface Command {
  name: string;
  /** One line for `nic-offload --help`. */
  summary: string;
  /** Full text for `nic-offload help NAME` / `nic-offload NAME --help`, with examples. */
  help: string;
  /** Returns the exit status. Throw errors; main() reports them in one line (JSON with --json). */
  run(argv: string[], io: CliIO): Promise<number> | number;
  /** The exit status for an error run() threw (default 1). */
  exitStatus?(e: unknown): number;
}
