/**
 * The AWS App Mesh adapter: TrafficPolicy, MTLSPolicy and AccessPolicy as `appmesh.k8s.aws/v1beta2`
 * objects for the App Mesh controller for Kubernetes (v1.13.3; its CRDs are v1beta2 only).
 *
 * AWS discontinues App Mesh on 2026-09-30 (no new customers since 2024-09-24) and recommends
 * Amazon VPC Lattice for EKS and Amazon ECS Service Connect for ECS. Sources: AWS Containers blog
 * "Migrating from AWS App Mesh to Amazon ECS Service Connect"
 * (https://aws.amazon.com/blogs/containers/migrating-from-aws-app-mesh-to-amazon-ecs-service-connect/)
 * and "Migrate Amazon ECS workloads from AWS App Mesh to Amazon VPC Lattice"
 * (https://aws.amazon.com/blogs/containers/migrate-amazon-ecs-workloads-from-aws-app-mesh-to-amazon-vpc-lattice).
 * The adapter stays because teams still run App Mesh and must move off it; `endOfSupport` makes
 * every compile say so (AM3010).
 */

import { type KubeObject, type MeshAdapter, sourcesOf } from '../../core/adapter.js';
import { byKind } from '../kit/policies.js';
import { compileBackend } from './backend.js';
import { appmeshCapabilities, MIN_CONTROLLER } from './capabilities.js';
import { importAppMesh } from './import.js';
import { IMPORT_KINDS } from './import-reader.js';
import { appmeshInstall } from './install.js';
import { APPMESH_MESSAGES } from './messages.js';
import { APPMESH_OPTIONS, readOptions } from './options.js';
import { meshObject, serviceObjects } from './resources.js';
import { compileRouting } from './routing.js';
import { compileSecurity } from './security.js';

export const END_OF_SUPPORT = {
  date: '2026-09-30',
  advice:
    'AWS ended support for App Mesh on 2026-09-30 (no new customers since 2024-09-24); this output is for migrating off it. ' +
    'Move EKS workloads to Amazon VPC Lattice (AWS Gateway API Controller) and ECS workloads to Amazon ECS Service Connect; ' +
    'run both side by side and shift traffic gradually (blue/green), since a workload cannot be in App Mesh and the new network at once. ' +
    "Check which of your policies the target expresses before you move (AWS's Service Connect guide lists App Mesh features it lacks)",
} as const;

export const appmeshAdapter = {
  id: 'appmesh',
  displayName: 'AWS App Mesh',
  versions: { minimum: MIN_CONTROLLER, tested: MIN_CONTROLLER },
  capabilities: appmeshCapabilities,
  // AWS App Mesh user guide, "Envoy defaults set by App Mesh" (default route retry policy, in every
  // mesh created after 2020-07-29, invisible in the API) and the API reference HttpTimeout
  // ("perRequest ... The default value is 15 seconds").
  defaults: {
    timeout: {
      behaviour: 'times requests out after 15 s (the App Mesh default per-request timeout)',
      differs: 'always',
      source: 'https://docs.aws.amazon.com/app-mesh/latest/APIReference/API_HttpTimeout.html',
    },
    retries: {
      behaviour:
        'applies its default retry policy (in meshes created after 2020-07-29): 2 retries on HTTP 503, gRPC UNAVAILABLE, connect-failure and refused-stream',
      differs: 'always',
      source: 'https://docs.aws.amazon.com/app-mesh/latest/userguide/envoy-defaults.html',
    },
  },
  // Schema only: the controller turns these objects into calls to the App Mesh cloud API, which is
  // what accepts or refuses them and what programs Envoy; no test can reach it (and none may mock it
  // into a claim). The API server storing the CRD proves no more than the schema does.
  evidence: {
    schema:
      'every output validates against the App Mesh controller v1.13.3 CRD schemas (test/conformance.test.ts); nothing more: the controller hands the objects to the App Mesh cloud API, which decides, and which no test reaches',
  },
  docs: 'https://docs.aws.amazon.com/app-mesh/latest/userguide/what-is-app-mesh.html',
  endOfSupport: END_OF_SUPPORT,
  codeRange: 'AM44',
  messages: APPMESH_MESSAGES,
  options: APPMESH_OPTIONS,
  // mTLS needs a certificate source; SPIRE through SDS is the common one.
  exampleOptions: {
    'appmesh.tls.certificate': 'sds',
    'appmesh.tls.sdsSecretName': 'spiffe://cluster.local/ns/{namespace}/sa/{service}',
  },
  install: appmeshInstall,
  // The App Mesh controller injects Envoy into namespaces with this label.
  inMesh: (ns) => ns.labels['appmesh.k8s.aws/sidecarInjectorWebhook'] === 'enabled',
  crdFolders: ['appmesh'],
  import: importAppMesh,
  importKinds: IMPORT_KINDS,
  compile(policies, ctx) {
    const { options, diagnostics } = readOptions(ctx);
    const { traffic, access, mtls, backend } = byKind(policies);
    // Routing plans the virtual nodes per service; mTLS and access then fill in their listeners.
    const routing = compileRouting(traffic, ctx, options);
    for (const d of routing.diagnostics) diagnostics.push(d);
    const plans = routing.plans;
    for (const d of compileSecurity(access, mtls, plans, ctx, options)) diagnostics.push(d);
    for (const d of compileBackend(backend, plans)) diagnostics.push(d);
    const resources: KubeObject[] = [...plans.values()].flatMap((plan) => serviceObjects(plan, ctx));
    if (options.emitMesh && policies.length) {
      // The Mesh names the policies the other objects carry: one whose every setting was left out
      // (--allow-degraded) wrote nothing, and an import would otherwise bring it back empty.
      const carried = new Set(resources.flatMap(sourcesOf));
      const sources = policies.filter((p) => carried.has(p.ref));
      resources.push(meshObject(options, sources.length ? sources : policies));
    }
    return { resources, diagnostics };
  },
} satisfies MeshAdapter;
