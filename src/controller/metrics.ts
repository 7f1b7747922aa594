/**
 * The controller's Prometheus metrics, kept by prom-client (a Registry of its own, not the
 * library's global one, plus its default process and Node.js metrics: CPU, resident memory, open
 * file descriptors, event-loop lag, heap, GC). The controller calls the small `MetricsSink`
 * interface only; `createMetrics` imports prom-client when the controller starts, so no other
 * command loads it. Names follow controller-runtime's (controller_runtime_reconcile_total,
 * workqueue_depth, ...) under an `anymesh_` prefix.
 */
export interface MetricsSink {
  inc<N extends MetricName>(name: N, labels?: LabelsOf<N>, by?: number): void;
  set<N extends MetricName>(name: N, value: number, labels?: LabelsOf<N>): void;
  observe<N extends MetricName>(name: N, seconds: number, labels?: LabelsOf<N>): void;
  /** The text exposition of every metric, in the registry's content type. */
  render(): Promise<string>;
  readonly contentType: string;
}

export const METRICS = {
  anymesh_reconcile_total: {
    type: 'counter',
    help: 'Reconciles of a namespace, by result (success, error).',
    labelNames: ['result'],
  },
  anymesh_reconcile_errors_total: { type: 'counter', help: 'Reconciles that failed.', labelNames: [] },
  anymesh_reconcile_duration_seconds: {
    type: 'histogram',
    help: 'Time per reconcile of a namespace.',
    labelNames: [],
  },
  anymesh_workqueue_depth: { type: 'gauge', help: 'Namespaces waiting to be reconciled.', labelNames: [] },
  anymesh_writes_total: {
    type: 'counter',
    help: 'Writes sent to the API server (applies, deletes, status, Events).',
    labelNames: [],
  },
  anymesh_leader: { type: 'gauge', help: '1 while this replica leads, else 0.', labelNames: [] },
  anymesh_drift_total: {
    type: 'counter',
    help: 'Out-of-band changes found on produced objects, by action (reverted, reported).',
    labelNames: ['action'],
  },
} as const;

export type MetricName = keyof typeof METRICS;
type LabelsOf<N extends MetricName> = Partial<Record<(typeof METRICS)[N]['labelNames'][number], string>>;

/** Reconcile durations: controller-runtime's buckets stop at 60 s; a namespace takes 5 ms to 10 s. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

interface Kept {
  inc?(labels: Record<string, string>, by: number): void;
  set?(labels: Record<string, string>, value: number): void;
  observe?(labels: Record<string, string>, value: number): void;
}

export async function createMetrics(): Promise<MetricsSink> {
  type Prom = typeof import('prom-client');
  const loaded: Prom & { default?: Prom } = await import('prom-client');
  // Node's loader gives a CommonJS module's exports as named exports too; the CLI's bundle gives
  // them as `default` only (esbuild's chunk for prom-client): take whichever holds them.
  const prom = loaded.Registry ? loaded : loaded.default!;
  const registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry });
  const kept = new Map<MetricName, Kept>();
  for (const [name, m] of Object.entries(METRICS) as [MetricName, (typeof METRICS)[MetricName]][]) {
    const common = { name, help: m.help, labelNames: [...m.labelNames] as string[], registers: [registry] };
    if (m.type === 'counter') {
      const c = new prom.Counter(common);
      kept.set(name, { inc: (l, by) => c.inc(l, by) });
    } else if (m.type === 'gauge') {
      const g = new prom.Gauge(common);
      g.set(0); // a labelless gauge is exposed at 0 from the start (not leading, nothing queued)
      kept.set(name, { set: (l, v) => g.set(l, v) });
    } else {
      const h = new prom.Histogram({ ...common, buckets: BUCKETS });
      kept.set(name, { observe: (l, v) => h.observe(l, v) });
    }
  }
  const call = (name: MetricName): Kept => kept.get(name)!;
  return {
    contentType: registry.contentType,
    inc: (name, labels = {}, by = 1) => call(name).inc?.(labels as Record<string, string>, by),
    set: (name, value, labels = {}) => call(name).set?.(labels as Record<string, string>, value),
    observe: (name, seconds, labels = {}) => call(name).observe?.(labels as Record<string, string>, seconds),
    render: () => registry.metrics(),
  };
}
