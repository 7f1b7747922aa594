/**
 * The App Mesh objects around the services: the Mesh (membership and egress), the ingress
 * gateway (VirtualGateway) and BackendGroups. None of them is a neutral policy; each field
 * is taken when it means nothing a policy would say, and reported otherwise.
 *
 * - A Mesh anymesh made (its label and source annotation) holds only compile options
 *   (appmesh.mesh, appmesh.namespaceLabel, appmesh.egressFilter): taken.
 * - Another Mesh: `namespaceSelector` is membership (which the target mesh's namespace labels
 *   say), taken; `egressFilter: DROP_ALL` lets nodes reach only their backends, an egress control
 *   no neutral policy has, reported; `meshOwner`, `awsName` are cloud-only.
 * - A VirtualGateway is the ingress Envoy itself (listeners, TLS, logging: AM4464); its
 *   GatewayRoutes are policies bound to it (import-gateway.ts).
 */

import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../core/adapter.js';
import { makeDiagnostic } from '../../core/diagnostics.js';
import type { NativeObject } from '../../core/import.js';
import { isEmptyMapping, takeMetadata } from '../kit/import-kit.js';
import { type AppMeshReader, isKind, type Obj } from './import-reader.js';
import { APPMESH_MESSAGES } from './messages.js';

export function importMeshObjects(objects: readonly NativeObject[], r: AppMeshReader): void {
  for (const o of objects) {
    if (isKind(o, 'Mesh')) readMesh(o, r);
    else if (isKind(o, 'VirtualGateway')) {
      takeMetadata(r.ledger, o);
      const ports = (r.ledger.peek<Obj[]>(o, ['spec', 'listeners']) ?? [])
        .map((l) => (l.portMapping as Obj | undefined)?.port)
        .filter((p) => p !== undefined);
      ingress(
        o,
        r,
        `VirtualGateway ${o.object.metadata.name}`,
        `an Envoy gateway listening on ${ports.join(', ') || 'no port'}`,
      );
    } else if (isKind(o, 'BackendGroup')) {
      takeMetadata(r.ledger, o);
      r.lostIf(
        o,
        ['spec'],
        'BackendGroups are deprecated in the App Mesh controller and have no neutral form',
      );
    }
  }
}

function ingress(o: NativeObject, r: AppMeshReader, what: string, why: string): void {
  if (r.ledger.peek(o, ['spec']) === undefined) return;
  r.ledger.report(o, ['spec'], (at) => makeDiagnostic(APPMESH_MESSAGES.ImportIngress, { what, why }, at));
}

function readMesh(o: NativeObject, r: AppMeshReader): void {
  const managed = o.object.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
  takeMetadata(r.ledger, o);
  // anymesh's own Mesh, or one with every default (`spec: {}`): nothing a policy would carry.
  if (managed || isEmptyMapping(r.ledger.peek(o, ['spec']))) {
    r.ledger.take(o, ['spec']);
    return;
  }
  r.rest(
    o,
    ['spec'],
    ['namespaceSelector', 'egressFilter', 'meshOwner', 'awsName', 'meshServiceDiscovery'],
    'Mesh',
  );
  r.ledger.take(o, ['spec', 'namespaceSelector']);
  const egress = r.ledger.peek<string>(o, ['spec', 'egressFilter', 'type']);
  r.rest(o, ['spec', 'egressFilter'], ['type'], 'egressFilter');
  if (egress === 'ALLOW_ALL') r.ledger.take(o, ['spec', 'egressFilter']);
  else if (egress !== undefined)
    r.lost(
      o,
      ['spec', 'egressFilter', 'type'],
      'egress filter DROP_ALL lets virtual nodes reach only their backends and AWS endpoints; neutral policies have no egress control (in Istio, outboundTrafficPolicy REGISTRY_ONLY is the mesh-wide equivalent)',
    );
  if (r.ledger.peek(o, ['spec', 'meshOwner']) !== undefined)
    r.cloud(o, ['spec', 'meshOwner'], 'meshOwner', 'the AWS account that owns a shared mesh');
  const aws = r.ledger.peek<string>(o, ['spec', 'awsName']);
  if (aws === undefined || aws === o.object.metadata.name) r.ledger.take(o, ['spec', 'awsName']);
  else r.cloud(o, ['spec', 'awsName'], `awsName ${aws}`, 'the name of the mesh in the App Mesh API');
  r.lostIf(
    o,
    ['spec', 'meshServiceDiscovery'],
    "the IP version preference of the mesh's service discovery is the proxies' configuration, not policy",
  );
}
