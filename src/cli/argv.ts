/**
 * The command line as kubectl users type it, turned into what commander parses:
 * - `-o=json`, `-n=shop`: a short flag with `=` (pflag accepts it; commander would read `=json`);
 * - `anymesh --kubeconfig K -n shop status`: connection flags before the subcommand (kubectl's
 *   global flags) are moved behind it, where the command's own options read them.
 */
import { CONFIG_FLAGS_WITH_VALUE } from './config-flag-names.js';

/** Flags that take no value and may also come before the subcommand (display flags are taken out first). */
const GLOBAL_SWITCHES: readonly string[] = [];

export function normalizeArgv(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  const head = (end < 0 ? argv : argv.slice(0, end)).flatMap((a) => {
    const m = /^(-[A-Za-z])=(.*)$/s.exec(a);
    return m ? [m[1]!, m[2]!] : [a];
  });
  const rest = end < 0 ? [] : argv.slice(end);
  const moved: string[] = [];
  let i = 0;
  while (i < head.length) {
    const a = head[i]!;
    const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    if (CONFIG_FLAGS_WITH_VALUE.includes(name)) {
      if (a.includes('=') || i + 1 >= head.length) {
        moved.push(a);
        i += 1;
      } else {
        moved.push(a, head[i + 1]!);
        i += 2;
      }
    } else if (GLOBAL_SWITCHES.includes(a)) {
      moved.push(a);
      i += 1;
    } else break;
  }
  if (moved.length === 0 || i >= head.length) return [...head, ...rest];
  // head[i] is the subcommand: the moved flags go right after it.
  return [head[i]!, ...moved, ...head.slice(i + 1), ...rest];
}

/** The display flags, taken out of the command line wherever they are (every command has them). */
export interface DisplayFlags {
  quiet?: boolean;
  maxWarnings?: number;
  /** --color forces colour on, --no-color off; undefined: the terminal decides. */
  color?: boolean;
}

export function takeDisplayFlags(argv: readonly string[]): {
  argv: string[];
  flags: DisplayFlags;
  error?: string;
} {
  const flags: DisplayFlags = {};
  const out: string[] = [];
  let error: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (a === '-q' || a === '--quiet') flags.quiet = true;
    else if (a === '--no-color') flags.color = false;
    else if (a === '--color') flags.color = true;
    else if (a === '--max-warnings' || a.startsWith('--max-warnings=')) {
      const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      const n = Number(value);
      if (value === undefined || !/^\d+$/.test(value) || !Number.isSafeInteger(n))
        error = `--max-warnings ${value ?? ''}: give a whole number >= 0`.replace('  ', ' ');
      else flags.maxWarnings = n;
    } else out.push(a);
  }
  return { argv: out, flags, ...(error ? { error } : {}) };
}
