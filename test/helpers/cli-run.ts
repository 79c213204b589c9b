// Running the nic-offload CLI in tests: in-process through main() (fast, exact stdout/stderr/exit
// status) or as a real process from the TypeScript sources (TTY, environment, exit code).
import * as path from 'path';
import { main } from '../../ts/cli/main';
import { run, RunResult } from './netns';

export const ROOT = path.join(__dirname, '..', '..');

export interface CliResult {
  stdout: string;
  stderr: string;
  status: number;
}

export async function cli(argv: string[], opts: { env?: NodeJS.ProcessEnv; isTTY?: boolean } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const status = await main(argv, {
    out: (t) => void (stdout += t),
    err: (t) => void (stderr += t),
    env: opts.env ?? {},
    isTTY: opts.isTTY ?? false,
    stdin: process.stdin,
  });
  return { stdout, stderr, status };
}

/** The command line that runs the CLI from the sources, as a process. */
export function binArgv(...args: string[]): string[] {
  return [process.execPath, '--require', require.resolve('tsx/cjs'), path.join(ROOT, 'ts', 'cli', 'main.ts'), ...args];
}

export function bin(args: string[], env: NodeJS.ProcessEnv = process.env): RunResult {
  const [node, ...rest] = binArgv(...args);
  return run(node, rest, { env });
}
