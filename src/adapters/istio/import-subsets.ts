/**
 * DestinationRule -> neutral versions: each subset with labels is a version of the host's
 * Service. Traffic policies have no neutral form and are reported, except ISTIO_MUTUAL alone,
 * which is what auto mTLS does anyway, and the HTTP/2 upgrade of an http2 policy (routing-http2.ts:
 * `connectionPool.http.h2UpgradePolicy: UPGRADE` and nothing else, top-level or per port), which
 * the policy routing that port takes (import-routing.ts).
 */
import type { NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { serviceOfHost, takeMetadata } from '../kit/import-kit.js';
import { type IstioReader, isKind, type Obj } from './import-reader.js';
import { onlyIdleTimeout } from './import-tcp.js';
import { H2_UPGRADE } from './routing-http2.js';

export interface Subsets {
  readonly versions: Map<string, Record<string, string>>;
  readonly rules: NativeObject[];
  /** HTTP/2 upgrades: for every port (`all`) or per port, where they are; unused ones are reported. */
  readonly h2: H2Upgrades[];
}

export interface H2Upgrades {
  readonly o: NativeObject;
  all?: FieldPath;
  readonly ports: Map<number, FieldPath>;
  /** The paths a policy took. */
  readonly used: Set<FieldPath>;
}

export function readDestinationRules(objects: readonly NativeObject[], r: IstioReader): Map<string, Subsets> {
  const out = new Map<string, Subsets>();
  for (const o of objects.filter((x) => isKind(x, 'DestinationRule'))) {
    takeMetadata(r.ledger, o);
    const host = r.ledger.peek<string>(o, ['spec', 'host']);
    const svc = host === undefined ? undefined : serviceOfHost(host, o.namespace, r.ctx);
    const h2 = h2Upgrades(o, r);
    // A TCP idle timeout alone is the TCP policies' (import-tcp.ts).
    const auto =
      h2 || onlyIdleTimeout(o, r) || takeAutoMtls(o, ['spec', 'trafficPolicy'], r) ? ['trafficPolicy'] : [];
    r.rest(o, ['spec'], ['host', 'subsets', ...auto], 'DestinationRule');
    if (!svc) {
      r.lost(
        o,
        ['spec'],
        `host ${host} is not a Service of this cluster, and neutral policies govern Services`,
      );
      continue;
    }
    const key = `${svc.namespace}/${svc.service}`;
    const entry: Subsets = out.get(key) ?? { versions: new Map(), rules: [], h2: [] };
    entry.rules.push(o);
    if (h2) entry.h2.push(h2);
    out.set(key, entry);
    const subsets = r.ledger.peek<Obj[]>(o, ['spec', 'subsets']) ?? [];
    subsets.forEach((s, i) => {
      const at = ['spec', 'subsets', i];
      const auto = takeAutoMtls(o, [...at, 'trafficPolicy'], r) ? ['trafficPolicy'] : [];
      r.rest(o, at, ['name', 'labels', ...auto], 'subset');
      const labels = s.labels as Record<string, string> | undefined;
      if (typeof s.name !== 'string' || !labels || Object.keys(labels).length === 0) {
        r.lost(o, at, 'a subset without labels selects every pod, which a neutral version cannot say');
        return;
      }
      r.ledger.take(o, [...at, 'name']);
      r.ledger.take(o, [...at, 'labels']);
      entry.versions.set(s.name, labels);
    });
    if (subsets.length || h2) r.ledger.take(o, ['spec', 'host']);
  }
  return out;
}

/**
 * `trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}` and nothing else is what auto mTLS does anyway
 * (Istio reference, destination-rule ClientTLSSettings: ISTIO_MUTUAL uses the mesh certificates),
 * so it is taken as the default it is; anything more is reported by the caller.
 */
function takeAutoMtls(o: NativeObject, at: FieldPath, r: IstioReader): boolean {
  const tp = r.ledger.peek<Obj>(o, at);
  const tls = tp?.tls as Obj | undefined;
  const auto =
    tp !== undefined &&
    Object.keys(tp).length === 1 &&
    tls !== undefined &&
    Object.keys(tls).length === 1 &&
    tls.mode === 'ISTIO_MUTUAL';
  if (auto) r.ledger.take(o, at);
  return auto;
}

const isH2Upgrade = (v: unknown): boolean => JSON.stringify(v) === JSON.stringify(H2_UPGRADE);

/**
 * The HTTP/2 upgrades of a trafficPolicy made only of them (what routing-http2.ts writes for http2
 * policies): top-level, or one portLevelSettings entry per port; read, not taken, and undefined
 * when the trafficPolicy holds anything else (then reported whole, as before).
 */
function h2Upgrades(o: NativeObject, r: IstioReader): H2Upgrades | undefined {
  const at = ['spec', 'trafficPolicy'];
  const tp = r.ledger.peek<Obj>(o, at);
  if (!tp) return undefined;
  const { portLevelSettings, ...top } = tp;
  const out: H2Upgrades = { o, ports: new Map(), used: new Set() };
  if (Object.keys(top).length) {
    if (!isH2Upgrade(top)) return undefined;
    out.all = [...at, 'connectionPool'];
  }
  if (portLevelSettings !== undefined) {
    if (!Array.isArray(portLevelSettings)) return undefined;
    for (const [i, e] of (portLevelSettings as Obj[]).entries()) {
      const { port, ...rest } = e ?? {};
      const number = (port as { number?: unknown } | undefined)?.number;
      if (typeof number !== 'number' || out.ports.has(number) || !isH2Upgrade(rest)) return undefined;
      out.ports.set(number, [...at, 'portLevelSettings', i]);
    }
  }
  return out.all || out.ports.size ? out : undefined;
}

/**
 * Takes the HTTP/2 upgrade that covers calls to `port` (undefined: every port) and says whether
 * there was one: the policy routing them is an http2 policy.
 */
export function takeH2Upgrade(
  subsets: Subsets | undefined,
  port: number | undefined,
  r: IstioReader,
): boolean {
  for (const u of subsets?.h2 ?? []) {
    const path = port === undefined ? u.all : (u.ports.get(port) ?? u.all);
    if (!path) continue;
    r.ledger.take(u.o, path);
    u.used.add(path);
    return true;
  }
  return false;
}

/** The HTTP/2 upgrades no imported policy took: a port no HTTP route of the input governs. */
export function reportUnusedH2Upgrades(all: ReadonlyMap<string, Subsets>, r: IstioReader): void {
  for (const u of [...all.values()].flatMap((s) => s.h2)) {
    for (const path of [...(u.all ? [u.all] : []), ...u.ports.values()])
      if (!u.used.has(path))
        r.lost(
          u.o,
          path,
          'an HTTP/2 upgrade for calls no imported VirtualService route governs: a neutral policy says protocol http2 only for the calls it routes',
        );
  }
}
