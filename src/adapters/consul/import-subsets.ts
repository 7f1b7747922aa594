/**
 * ServiceResolver -> neutral versions and the resolver's routing fields: each subset whose filter
 * is a conjunction of `Service.Meta` equalities is a version (the pod labels the Consul compile
 * turns into that filter), `defaultSubset` and a plain `redirect` are kept for the router join;
 * `failover`, `prioritizeByLocality`, `onlyPassing` and other filters are reported.
 *
 * Filter syntax: hashicorp/go-bexpr (selectors `Service.Meta.key` or `Service.Meta["key"]`, string
 * values quoted or bare), as Consul's service-resolver reference writes them
 * (developer.hashicorp.com/consul/docs/connect/config-entries/service-resolver, `Subsets.Filter`:
 * "Service.Meta.version == v1"). Connect timeout and load balancer are BackendPolicy's
 * (import-backend.ts).
 */
import type { NativeObject } from '../../core/import.js';
import { isEmptyMapping } from '../kit/import-kit.js';
import { type ConsulReader, isKind, type Obj } from './import-reader.js';

export interface Resolver {
  readonly o: NativeObject;
  readonly service: string;
  readonly versions: Map<string, Record<string, string>>;
  /** Subset names defined in the entry, versions or not (routes may name only these). */
  readonly subsets: Set<string>;
  readonly defaultSubset?: string;
  /** A redirect to a whole other service of the same datacenter, the one form with a neutral meaning. */
  readonly redirect?: string;
}

const TERM =
  /^Service\.Meta(?:\.([A-Za-z][A-Za-z0-9_]*)|\[\s*"((?:[^"\\]|\\.)*)"\s*\])\s*==\s*(?:"((?:[^"\\]|\\.)*)"|([A-Za-z0-9_.-]+))$/;

/** The labels a subset filter selects, or undefined when it is not Meta equalities ANDed. */
export function labelsOfFilter(filter: string): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  for (const term of filter.trim().split(/\s+and\s+/)) {
    const m = TERM.exec(term.trim());
    if (!m) return undefined;
    const key = m[1] ?? (JSON.parse(`"${m[2]}"`) as string);
    const value = m[3] !== undefined ? (JSON.parse(`"${m[3]}"`) as string) : m[4]!;
    if (labels[key] !== undefined && labels[key] !== value) return undefined;
    labels[key] = value;
  }
  return Object.keys(labels).length ? labels : undefined;
}

export function readResolvers(objects: readonly NativeObject[], r: ConsulReader): Map<string, Resolver> {
  const out = new Map<string, Resolver>();
  for (const o of objects.filter((x) => isKind(x, 'ServiceResolver'))) {
    const meta = r.meta(o);
    const service = meta.name;
    const versions = new Map<string, Record<string, string>>();
    const subsets = new Set<string>();
    const spec = r.ledger.peek<Obj>(o, ['spec']) ?? {};
    r.rest(
      o,
      ['spec'],
      ['subsets', 'defaultSubset', 'redirect', 'connectTimeout', 'loadBalancer'],
      'ServiceResolver',
    );
    // `subsets: {}` defines none, as no subsets do.
    if (isEmptyMapping(spec.subsets)) r.ledger.take(o, ['spec', 'subsets']);
    for (const [name, s] of Object.entries((spec.subsets as Record<string, Obj> | undefined) ?? {})) {
      const at = ['spec', 'subsets', name];
      subsets.add(name);
      r.rest(o, at, ['filter', 'onlyPassing'], 'subset');
      r.takeDefault(
        o,
        [...at, 'onlyPassing'],
        (v) => v === false,
        'onlyPassing leaves out instances whose health checks warn; neutral versions select every ready pod',
      );
      const filter = s.filter;
      const labels = typeof filter === 'string' ? labelsOfFilter(filter) : undefined;
      if (!labels) {
        r.lost(
          o,
          [...at, 'filter'],
          typeof filter === 'string' && filter.trim() !== ''
            ? `subset filter ${JSON.stringify(filter)} is not Service.Meta equalities joined by and, so it names no pod labels`
            : 'a subset without a filter selects every instance, which a neutral version cannot say',
        );
        continue;
      }
      r.ledger.take(o, [...at, 'filter']);
      versions.set(name, labels);
    }
    const defaultSubset = r.ledger.peek<string>(o, ['spec', 'defaultSubset']);
    let keptDefault: string | undefined;
    if (defaultSubset !== undefined && defaultSubset !== '') {
      if (versions.has(defaultSubset)) {
        keptDefault = defaultSubset;
        r.changed(
          o,
          ['spec', 'defaultSubset'],
          `calls that name no subset go to ${defaultSubset}: imported as explicit routes to version ${defaultSubset} (a compile writes them into the router, not the resolver, so non-HTTP calls and other services' splits to ${service} are no longer steered)`,
        );
      } else
        r.lost(
          o,
          ['spec', 'defaultSubset'],
          `default subset ${defaultSubset} is not a version this import could read`,
        );
    } else if (defaultSubset === '') r.ledger.take(o, ['spec', 'defaultSubset']);
    const redirect = readRedirect(o, r, service);
    out.set(`${o.namespace}/${service}`, {
      o,
      service,
      versions,
      subsets,
      ...(keptDefault !== undefined ? { defaultSubset: keptDefault } : {}),
      ...(redirect !== undefined ? { redirect } : {}),
    });
  }
  return out;
}

/** `redirect: {service: other}` alone moves every call to that service; anything more is reported. */
function readRedirect(o: NativeObject, r: ConsulReader, service: string): string | undefined {
  const redirect = r.ledger.peek<Obj>(o, ['spec', 'redirect']);
  if (!redirect) return undefined;
  const keys = Object.keys(redirect).filter((k) => redirect[k] !== '' && redirect[k] !== undefined);
  const target = redirect.service;
  if (keys.length !== 1 || typeof target !== 'string' || target === service) {
    r.lost(
      o,
      ['spec', 'redirect'],
      `a redirect to ${keys.map((k) => `${k} ${String(redirect[k])}`).join(', ') || 'nothing'}: neutral rules route to a whole service of this cluster, not to another datacenter, peer, partition, namespace or subset`,
    );
    return undefined;
  }
  return target;
}
