/**
 * A reader of the Prometheus text exposition format (version 0.0.4: `# HELP`, `# TYPE`, then one
 * sample a line, `name{label="value",...} value`), written from the format's description
 * (prometheus.io/docs/instrumenting/exposition_formats), so the tests read /metrics as a
 * scraper would instead of matching substrings.
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly types: ReadonlyMap<string, string>;
  readonly help: ReadonlyMap<string, string>;
  readonly samples: readonly Sample[];
  /** The value of the one sample of `name` whose labels include `labels`; undefined if none. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/gy;

function labelsOf(text: string | undefined, line: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  LABEL.lastIndex = 0;
  let m: RegExpExecArray | null;
  let end = 0;
  // biome-ignore lint/suspicious/noAssignInExpressions: the sticky regex walks the label list
  while ((m = LABEL.exec(text))) {
    out[m[1]!] = m[2]!.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
    end = LABEL.lastIndex;
  }
  if (end !== text.length) throw new Error(`bad labels in ${JSON.stringify(line)}`);
  return out;
}

function number(text: string, line: string): number {
  // Go's strconv.ParseFloat, which Prometheus uses, reads Inf and NaN in any case (prom-client
  // writes `Nan`).
  if (/^\+?inf$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf$/i.test(text)) return Number.NEGATIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  const n = Number(text);
  if (Number.isNaN(n)) throw new Error(`bad value in ${JSON.stringify(line)}`);
  return n;
}

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      (meta[1] === 'TYPE' ? types : help).set(meta[2]!, meta[3]!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    samples.push({ name: m[1]!, labels: labelsOf(m[2], line), value: number(m[3]!, line) });
  }
  return {
    types,
    help,
    samples,
    value: (name, labels = {}) => {
      const found = samples.filter(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      );
      if (found.length > 1)
        throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
      return found[0]?.value;
    },
  };
}
