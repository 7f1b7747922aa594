/** Runs the anymesh CLI in-process, as a user would from a shell, and collects what it prints. */
import { run } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export async function runCli(
  argv: readonly string[],
  opts: { stdin?: string; interactive?: boolean } = {},
): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await run(argv, {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    stdin: () => Buffer.from(opts.stdin ?? ''),
    interactive: opts.interactive === true,
  });
  return { code, out, err };
}
