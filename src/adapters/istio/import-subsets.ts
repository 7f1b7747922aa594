/**
 * DestinationRule -> neutral versions: each subset with labels is a version of the host's
 * Service. A subset's own traffic policy has no neutral form and is reported, except ISTIO_MUTUAL
 * alone, which is what auto mTLS does anyway. The host's traffic policy is a BackendPolicy
 * (import-backend.ts), except the HTTP/2 upgrade of an http2 policy (routing-http2.ts:
 * `connectionPool.http.h2UpgradePolicy: UPGRADE`, top-level or per port), which the policy routing
 * that port takes (import-routing.ts).
 */
import type { NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { isEmptyMapping, serviceOfHost, takeMetadata } from '../kit/import-kit.js';
import { type IstioReader, isKind, type Obj } from './import-reader.js';
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
    const svc = typeof host !== 'string' ? undefined : serviceOfHost(host, o.namespace, r.ctx);
    const h2 = h2Upgrades(o, r);
    // The trafficPolicy's settings are BackendPolicy's (import-backend.ts) and, for its HTTP/2
    // upgrade, the routing policy's.
    r.rest(o, ['spec'], ['host', 'subsets', 'trafficPolicy'], 'DestinationRule');
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
    // A rule with nothing but its host (and an empty traffic policy: what `trafficPolicy: {tls:
    // null}` is once the null is dropped) sets nothing; nothing is lost by importing no policy.
    const spec = r.ledger.peek<Obj>(o, ['spec']) ?? {};
    const bare = Object.entries(spec).every(
      ([k, v]) => k === 'host' || (k === 'trafficPolicy' && isEmptyMapping(v)),
    );
    if (subsets.length || h2 || bare) r.ledger.take(o, ['spec', 'host']);
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
  const auto = tp !== undefined && Object.keys(tp).length === 1 && isIstioMutual(tp.tls);
  if (auto) r.ledger.take(o, at);
  return auto;
}

/** `{mode: ISTIO_MUTUAL}` and nothing else: the client TLS auto mTLS sets anyway. */
export function isIstioMutual(tls: unknown): boolean {
  return (
    typeof tls === 'object' &&
    tls !== null &&
    Object.keys(tls).length === 1 &&
    (tls as Obj).mode === 'ISTIO_MUTUAL'
  );
}

const UPGRADE_AT = ['connectionPool', 'http', 'h2UpgradePolicy'];

/**
 * The HTTP/2 upgrades of a trafficPolicy (what routing-http2.ts writes for http2 policies):
 * `connectionPool.http.h2UpgradePolicy: UPGRADE` at the top level or in a port's entry; read, not
 * taken (the policy routing those calls takes them). A port entry that holds nothing else is taken
 * whole with it, its port included; the other settings beside it are BackendPolicy's
 * (import-backend.ts). DEFAULT says nothing and is taken; DO_NOT_UPGRADE differs from a neutral
 * http policy only when the mesh-wide h2UpgradePolicy upgrades, which the import cannot see.
 */
function h2Upgrades(o: NativeObject, r: IstioReader): H2Upgrades | undefined {
  const at = ['spec', 'trafficPolicy'];
  const tp = r.ledger.peek<Obj>(o, at);
  if (!tp || typeof tp !== 'object') return undefined;
  const out: H2Upgrades = { o, ports: new Map(), used: new Set() };
  /** The path that stands for the upgrade of the settings at `base`, or undefined without one. */
  const upgradeOf = (base: FieldPath, settings: Obj): FieldPath | undefined => {
    const leaf = [...base, ...UPGRADE_AT];
    const v = r.ledger.peek<unknown>(o, leaf);
    if (v === undefined) return undefined;
    if (v === 'DEFAULT') r.ledger.take(o, leaf);
    else if (v === 'DO_NOT_UPGRADE') {
      r.ledger.take(o, leaf);
      r.changed(
        o,
        leaf,
        'DO_NOT_UPGRADE keeps HTTP/1.1 even when the mesh-wide h2UpgradePolicy upgrades; a neutral http policy follows the mesh-wide setting',
      );
    } else if (v === 'UPGRADE') {
      const { port: _port, ...rest } = settings;
      return JSON.stringify(rest) === JSON.stringify(H2_UPGRADE) ? base : leaf;
    } else r.lost(o, leaf, `${JSON.stringify(v)} is not an h2UpgradePolicy Istio knows`);
    return undefined;
  };
  const { portLevelSettings, ...top } = tp;
  const all = upgradeOf(at, top);
  // Top level: the upgrade alone is the whole connectionPool (the trafficPolicy keeps the list).
  if (all) out.all = all === at ? [...at, 'connectionPool'] : all;
  if (Array.isArray(portLevelSettings))
    for (const [i, e] of (portLevelSettings as Obj[]).entries()) {
      const number = (e?.port as { number?: unknown } | undefined)?.number;
      if (!e || typeof e !== 'object' || typeof number !== 'number' || out.ports.has(number)) continue;
      const path = upgradeOf([...at, 'portLevelSettings', i], e);
      if (path) out.ports.set(number, path);
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

/**
 * The one port the service's HTTP/2 upgrades name, when they name exactly one and no upgrade is
 * for every port: what a gateway policy whose routes all go elsewhere has as spec.port.
 */
export function loneUpgradePort(subsets: Subsets | undefined): number | undefined {
  const ups = subsets?.h2 ?? [];
  if (ups.length !== 1 || ups[0]!.all || ups[0]!.ports.size !== 1) return undefined;
  return [...ups[0]!.ports.keys()][0];
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
