/**
 * Controller metrics behind a tiny interface, so a well-kept client library (prom-client) can
 * stand behind it: `MetricsSink` is what the controller calls, `TextMetrics` a minimal stand-in that
 * renders the Prometheus text exposition format (version 0.0.4: `# HELP`, `# TYPE`, one sample a
 * line) until that library is a dependency. Names follow controller-runtime's
 * (controller_runtime_reconcile_total, workqueue_depth, ...) under an `anymesh_` prefix.
 */
export interface MetricsSink {
  inc(name: MetricName, labels?: Record<string, string>, by?: number): void;
  set(name: MetricName, value: number, labels?: Record<string, string>): void;
  observe(name: MetricName, seconds: number, labels?: Record<string, string>): void;
  render(): string;
  readonly contentType: string;
}

export const METRICS = {
  anymesh_reconcile_total: { type: 'counter', help: 'Reconciles, by result (success, error).' },
  anymesh_reconcile_errors_total: { type: 'counter', help: 'Reconciles that failed.' },
  anymesh_reconcile_duration_seconds: { type: 'histogram', help: 'Time per reconcile.' },
  anymesh_workqueue_depth: { type: 'gauge', help: 'Namespaces waiting to be reconciled.' },
  anymesh_writes_total: { type: 'counter', help: 'Writes sent to the API server, by kind of write.' },
  anymesh_leader: { type: 'gauge', help: '1 while this replica leads, else 0.' },
  anymesh_drift_total: { type: 'counter', help: 'Out-of-band changes found on produced objects.' },
} as const;

export type MetricName = keyof typeof METRICS;

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const labelText = (labels: Record<string, string> = {}, extra: Record<string, string> = {}) => {
  const all = { ...labels, ...extra };
  const keys = Object.keys(all).sort();
  return keys.length ? `{${keys.map((k) => `${k}="${all[k]!.replace(/["\\\n]/g, '_')}"`).join(',')}}` : '';
};

export class TextMetrics implements MetricsSink {
  readonly contentType = 'text/plain; version=0.0.4; charset=utf-8';
  private readonly values = new Map<string, Map<string, number>>();
  private readonly hist = new Map<
    string,
    Map<string, { buckets: number[]; sum: number; count: number; labels: Record<string, string> }>
  >();

  private series(name: string): Map<string, number> {
    let m = this.values.get(name);
    if (!m) {
      m = new Map();
      this.values.set(name, m);
    }
    return m;
  }

  inc(name: MetricName, labels: Record<string, string> = {}, by = 1): void {
    const m = this.series(name);
    const k = labelText(labels);
    m.set(k, (m.get(k) ?? 0) + by);
  }

  set(name: MetricName, value: number, labels: Record<string, string> = {}): void {
    this.series(name).set(labelText(labels), value);
  }

  observe(name: MetricName, seconds: number, labels: Record<string, string> = {}): void {
    let m = this.hist.get(name);
    if (!m) {
      m = new Map();
      this.hist.set(name, m);
    }
    const k = labelText(labels);
    const h = m.get(k) ?? { buckets: BUCKETS.map(() => 0), sum: 0, count: 0, labels };
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) h.buckets[i]!++;
    });
    h.sum += seconds;
    h.count++;
    m.set(k, h);
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, meta] of Object.entries(METRICS)) {
      lines.push(`# HELP ${name} ${meta.help}`, `# TYPE ${name} ${meta.type}`);
      if (meta.type === 'histogram') {
        for (const h of this.hist.get(name)?.values() ?? []) {
          BUCKETS.forEach((b, i) =>
            lines.push(`${name}_bucket${labelText(h.labels, { le: String(b) })} ${h.buckets[i]}`),
          );
          lines.push(`${name}_bucket${labelText(h.labels, { le: '+Inf' })} ${h.count}`);
          lines.push(
            `${name}_sum${labelText(h.labels)} ${h.sum}`,
            `${name}_count${labelText(h.labels)} ${h.count}`,
          );
        }
      } else for (const [k, v] of this.values.get(name) ?? []) lines.push(`${name}${k} ${v}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
