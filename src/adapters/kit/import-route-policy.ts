/**
 * The parts of a TrafficPolicy that every Gateway API route importer (Istio, Linkerd) builds the
 * same way from the routes of one parent: the versions their leaf Services stand for, the caller
 * namespaces of consumer routes, and the policy's name.
 */
import type { NativeObject } from '../../core/import.js';
import type { VersionSplit } from './import-leaves.js';
import type { RouteDialect } from './import-route-dialect.js';
import type { NativeReader, Obj } from './native-reader.js';

/**
 * spec.selector, spec.versions and spec.sources: the service's labels (left out when they are the
 * default `app: <service>`), each version's labels, and the namespaces of consumer routes.
 */
export function versionAndSourceFields(
  service: string,
  split: VersionSplit | undefined,
  sources: ReadonlySet<string>,
): Obj {
  const out: Obj = {};
  if (split) {
    const own = split.service;
    if (!(Object.keys(own).length === 1 && own.app === service)) out.selector = own;
    out.versions = Object.fromEntries([...split.versions.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
  if (sources.size) out.sources = [...sources].sort().map((namespace) => ({ namespace }));
  return out;
}

/**
 * The name of a policy imported from hand-written routes: the route's name for one route, the
 * service's for several; prefixed with the routes' namespace when that is not the policy's (a
 * consumer route), and given the first of `suffixes` that makes it unique in `taken` (the
 * protocol, then the port: one parent's HTTPRoutes and GRPCRoutes, or its ports, are several
 * policies). Several routes joined into the policy are noted, with the order their rules took.
 */
export function importedRouteName(
  routes: readonly NativeObject[],
  at: { namespace: string; service: string; taken: ReadonlySet<string> },
  suffixes: readonly (string | undefined)[],
  r: NativeReader,
  dialect: RouteDialect,
): string {
  const { namespace, service, taken } = at;
  const first = routes[0]!;
  const base = routes.length === 1 ? first.object.metadata.name : service;
  let name = first.namespace !== namespace ? `${first.namespace}-${base}` : base;
  for (const suffix of suffixes) if (suffix && taken.has(`${namespace}/${name}`)) name = `${name}-${suffix}`;
  if (routes.length > 1)
    r.joined(
      first,
      `${first.object.kind}s ${routes.map((o) => o.object.metadata.name).join(', ')}`,
      `TrafficPolicy/${namespace}/${name}`,
      `their rules are merged most specific first, as ${dialect.mesh} orders them (Gateway API precedence, then the oldest route)`,
    );
  return name;
}
