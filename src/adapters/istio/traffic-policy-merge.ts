/**
 * Merging DestinationRule `trafficPolicy` fragments written by different policies for one host: a
 * TCP policy's idle timeout, an HTTP/2 policy's upgrade, a BackendPolicy's limits. Istio reads one
 * trafficPolicy per host, and a port's portLevelSettings entry replaces the top level whole, with no
 * inheritance (pilot/pkg/networking/util/util.go GetPortLevelTrafficPolicy: "port-level settings
 * will override the destination-level settings"), which `inheritTopLevel` accounts for.
 */
type Obj = Record<string, unknown>;

const POOL_PARTS = ['tcp', 'http'] as const;

/** Two connection pools as one; `b`'s values win. */
function mergePool(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a, ...b };
  for (const part of POOL_PARTS) {
    if (a[part] || b[part]) out[part] = { ...(a[part] as Obj), ...(b[part] as Obj) };
  }
  return out;
}

/** Adds settings (a TrafficPolicy without portLevelSettings) to `into`; `settings` win. */
export function mergeSettings(into: Obj, settings: Obj): void {
  for (const [key, value] of Object.entries(settings)) {
    const prior = into[key] as Obj | undefined;
    into[key] = key === 'connectionPool' && prior ? mergePool(prior, value as Obj) : value;
  }
}

/** Adds settings to `into` under its own: what `into` sets already wins. */
export function mergeSettingsUnder(into: Obj, settings: Obj): void {
  for (const [key, value] of Object.entries(settings)) {
    const own = into[key] as Obj | undefined;
    if (own === undefined) into[key] = value;
    else if (key === 'connectionPool') into[key] = mergePool(value as Obj, own);
  }
}

const portOf = (e: Obj) => (e.port as { number: number }).number;

/** Two trafficPolicies as one: top-level settings merged, port entries merged by port, sorted. */
export function mergeTrafficPolicies(a: Obj, b: Obj): Obj {
  const { portLevelSettings: pa, ...ta } = a;
  const { portLevelSettings: pb, ...tb } = b;
  const out: Obj = { ...ta };
  mergeSettings(out, tb);
  const ports = new Map<number, Obj>();
  for (const e of [...((pa as Obj[] | undefined) ?? []), ...((pb as Obj[] | undefined) ?? [])]) {
    const prior = ports.get(portOf(e));
    if (prior) mergeSettings(prior, e);
    else ports.set(portOf(e), { ...e });
  }
  if (ports.size) out.portLevelSettings = [...ports.values()].sort((x, y) => portOf(x) - portOf(y));
  return out;
}
