/**
 * The command line as kubectl users type it, turned into what commander parses:
 * - `-o=json`, `-n=shop`: a short flag with `=` (pflag accepts it; commander would read `=json`);
 * - `anymesh --kubeconfig K -n shop status`: connection flags before the subcommand (kubectl's
 *   global flags) are moved behind it, where the command's own options read them.
 */
import { CONFIG_FLAGS_WITH_VALUE } from './config-flags.js';

/** Flags that take no value and may also come before the subcommand. */
const GLOBAL_SWITCHES = ['-q', '--quiet', '--no-color'];

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
