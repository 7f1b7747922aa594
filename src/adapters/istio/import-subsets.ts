/**
 * DestinationRule -> neutral versions: each subset with labels is a version of the host's
 * Service. Traffic policies have no neutral form and are reported, except ISTIO_MUTUAL alone,
 * which is what auto mTLS does anyway.
 */
import type { NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { serviceOfHost, takeMetadata } from '../kit/import-kit.js';
import { type IstioReader, isKind, type Obj } from './import-reader.js';

export interface Subsets {
  readonly versions: Map<string, Record<string, string>>;
  readonly rules: NativeObject[];
}

export function readDestinationRules(objects: readonly NativeObject[], r: IstioReader): Map<string, Subsets> {
  const out = new Map<string, Subsets>();
  for (const o of objects.filter((x) => isKind(x, 'DestinationRule'))) {
    takeMetadata(r.ledger, o);
    const host = r.ledger.peek<string>(o, ['spec', 'host']);
    const svc = host === undefined ? undefined : serviceOfHost(host, o.namespace, r.ctx);
    const auto = takeAutoMtls(o, ['spec', 'trafficPolicy'], r) ? ['trafficPolicy'] : [];
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
    const entry: Subsets = out.get(key) ?? { versions: new Map(), rules: [] };
    entry.rules.push(o);
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
    if (subsets.length) r.ledger.take(o, ['spec', 'host']);
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
