/**
 * App Mesh -> neutral (`anymesh import --from appmesh`), for leaving App Mesh (end of support
 * 2026-09-30): VirtualService + VirtualRouter + VirtualNodes (+ the per-version Services their DNS
 * names need) -> TrafficPolicy; the nodes' listener TLS -> MTLSPolicy and AccessPolicy; their
 * outlier detection and connection pools -> BackendPolicy. The Mesh, gateways and gateway routes
 * are read and reported (import-mesh.ts); every other field is imported or reported.
 *
 * What anymesh produced comes back as its source policies: names from the
 * `anymesh.dev/source-policies` annotation, one rule per `<rule>-<i>` route group, the values
 * anymesh fills in because App Mesh requires them (perRetryTimeout, outlier defaults, listener
 * timeouts above 15s, the `<service>-<version>` Services) recognised as the defaults they are.
 */
import {
  FieldLedger,
  type ImportContext,
  type ImportResult,
  type NativeObject,
  sortImported,
} from '../../core/import.js';
import { importBackend } from './import-backend.js';
import { importMeshObjects } from './import-mesh.js';
import { readNodes } from './import-nodes.js';
import { APPMESH_KINDS, AppMeshReader, isAppMesh, isKind } from './import-reader.js';
import { importRouting } from './import-routing.js';
import { importSecurity } from './import-security.js';
import { API_VERSION } from './resources.js';

export function importAppMesh(objects: readonly NativeObject[], ctx: ImportContext): ImportResult {
  const ledger = new FieldLedger(ctx.strict);
  const r = new AppMeshReader(ledger, ctx);
  importMeshObjects(objects, r);
  const nodes = readNodes(objects, r);
  const routing = importRouting(objects, nodes, r);
  for (const n of nodes.values())
    if (n.owner === undefined)
      r.lost(
        n.o,
        ['spec'],
        'no VirtualService in the input routes to this node, so it belongs to no service a neutral policy can govern (import it together with the VirtualService and VirtualRouter that reach it)',
      );
  const policies = [
    ...routing.policies,
    ...importSecurity(routing.services, r),
    ...importBackend(routing.services, r),
  ];
  const joined = new Set(routing.policies.flatMap((p) => p.from));
  return ledger.finish(objects, { policies: sortImported(policies) }, (o) => {
    if (APPMESH_KINDS.some((k) => isKind(o, k)) || joined.has(o.ref)) return undefined;
    if (isAppMesh(o))
      return `${o.object.apiVersion} ${o.object.kind} is not an ${API_VERSION} kind this importer reads (the App Mesh controller v1.13.3 serves v1beta2 only)`;
    return `${o.object.apiVersion} ${o.object.kind} is not an App Mesh object`;
  });
}
