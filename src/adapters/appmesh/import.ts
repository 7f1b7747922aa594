/**
 * App Mesh -> neutral (`anymesh import --from appmesh`), for leaving App Mesh (end of support
 * 2026-09-30): VirtualService + VirtualRouter + VirtualNodes (+ the per-version Services their DNS
 * names need) -> TrafficPolicy; the nodes' listener TLS -> MTLSPolicy and AccessPolicy; their
 * outlier detection and connection pools -> BackendPolicy; GatewayRoutes -> TrafficPolicies bound
 * to their VirtualGateway (import-gateway.ts). The Mesh and the gateways themselves are read and
 * reported (import-mesh.ts); every other field is imported or reported.
 *
 * What anymesh produced comes back as its source policies: names from the
 * `anymesh.dev/source-policies` annotation, one rule per `<rule>-<i>` route group, the values
 * anymesh fills in because App Mesh requires them (perRetryTimeout, outlier defaults, listener
 * timeouts above 15s, the `<service>-<version>` Services) recognised as the defaults they are.
 */
import type { SourceLocation } from '../../core/diagnostics.js';
import {
  FieldLedger,
  type ImportContext,
  type ImportResult,
  type NativeObject,
  sortImported,
} from '../../core/import.js';
import { importBackend } from './import-backend.js';
import { importGatewayRoutes } from './import-gateway.js';
import { importMeshObjects } from './import-mesh.js';
import { readNodes } from './import-nodes.js';
import { APPMESH_KINDS, AppMeshReader, isAppMesh, isKind } from './import-reader.js';
import { importRouting, serviceOfNode } from './import-routing.js';
import { importSecurity } from './import-security.js';
import { API_VERSION } from './resources.js';

export function importAppMesh(input: readonly NativeObject[], ctx: ImportContext): ImportResult {
  let objects = input;
  const ledger = new FieldLedger(ctx.strict);
  const r = new AppMeshReader(ledger, ctx);
  const all = input;
  const superseded = supersededBy(objects);
  objects = objects.filter((o) => !superseded.has(o));
  importMeshObjects(objects, r);
  const nodes = readNodes(objects, r);
  const routing = importRouting(objects, nodes, r);
  const services = [...routing.services];
  for (const n of nodes.values()) {
    if (n.owner !== undefined) continue;
    const alone = serviceOfNode(n, r);
    if (alone) services.push(alone);
    else
      r.lost(
        n.o,
        ['spec'],
        'no VirtualService in the input routes to this node and its DNS name names no Service of its namespace, so it belongs to no service a neutral policy can govern (import it together with the VirtualService and VirtualRouter that reach it)',
      );
  }
  const policies = [
    ...routing.policies,
    ...importGatewayRoutes(
      objects,
      r,
      new Set(routing.policies.map((p) => `${p.policy.metadata.namespace}/${p.policy.metadata.name}`)),
    ),
    ...importSecurity(services, r),
    ...importBackend(services, r),
  ];
  const joined = new Set(routing.policies.flatMap((p) => p.from));
  return ledger.finish(all, { policies: sortImported(policies) }, (o) => {
    const later = superseded.get(o);
    if (later)
      return `it is given again at ${later.file}:${later.line}:${later.col}; as with kubectl apply of the files in order, the last one is what the cluster keeps, and that one is imported`;
    if (APPMESH_KINDS.some((k) => isKind(o, k)) || joined.has(o.ref)) return undefined;
    if (isAppMesh(o))
      return `${o.object.apiVersion} ${o.object.kind} is not an ${API_VERSION} kind this importer reads (the App Mesh controller v1.13.3 serves v1beta2 only)`;
    return `${o.object.apiVersion} ${o.object.kind} is not an App Mesh object`;
  });
}

/**
 * An object given twice (a base manifest and its update in one folder) is applied twice, and the
 * last one is what the cluster keeps: the earlier ones are listed as not imported, with where the
 * one in effect is.
 */
function supersededBy(objects: readonly NativeObject[]): Map<NativeObject, SourceLocation> {
  const last = new Map<string, NativeObject>();
  const key = (o: NativeObject) => `${o.object.apiVersion} ${o.ref}`;
  for (const o of objects) last.set(key(o), o);
  const out = new Map<NativeObject, SourceLocation>();
  for (const o of objects) {
    if (!isAppMesh(o) && !(o.object.apiVersion === 'v1' && o.object.kind === 'Service')) continue;
    const kept = last.get(key(o))!;
    if (kept !== o) out.set(o, kept.locate([]));
  }
  return out;
}
