/**
 * How Istio is installed: the official charts, `base` (CRDs, cluster roles, the default validating
 * webhook) before `istiod`, both in istio-system
 * (https://istio.io/latest/docs/setup/install/helm/, repo istio-release.storage.googleapis.com/charts).
 *
 * The `ambient` profile (`anymesh install istio --profile ambient`) follows Istio's ambient Helm
 * guide (https://istio.io/latest/docs/ambient/install/helm/): Gateway API CRDs first (Istio does not
 * install them), then `base`, `istiod` with `profile=ambient`, `cni` with `profile=ambient` (release
 * istio-cni, DaemonSet istio-cni-node) and `ztunnel` (DaemonSet ztunnel), all in istio-system. The
 * object names are those the charts render (istio.io/istio manifests/charts/{base,
 * istio-control/istio-discovery,istio-cni,ztunnel}, checked with helm template).
 */
import type {
  CrdPrerequisite,
  HelmInstall,
  InstallProfile,
  MeshVersion,
} from '../../core/install-catalogue.js';

const ISTIO_REPO = 'https://istio-release.storage.googleapis.com/charts';

const istioCrds = [
  'virtualservices.networking.istio.io',
  'destinationrules.networking.istio.io',
  'peerauthentications.security.istio.io',
  'authorizationpolicies.security.istio.io',
];

const webhooks = [
  { kind: 'MutatingWebhookConfiguration', name: 'istio-sidecar-injector' },
  { kind: 'ValidatingWebhookConfiguration', name: 'istio-validator-{namespace}' },
] as const;

// anymesh's ambient output is Gateway API HTTPRoutes and waypoint Gateways; `rules[].retry` is in
// the experimental channel only (GEP-1731), so that channel's HTTPRoute is the one to install.
const gatewayApi: readonly CrdPrerequisite[] = [
  {
    crd: 'gateways.gateway.networking.k8s.io',
    hint: 'install the Gateway API CRDs first (Istio does not install them; experimental channel for HTTPRoute retries)',
  },
  {
    crd: 'httproutes.gateway.networking.k8s.io',
    hint: 'install the Gateway API CRDs first (experimental channel: anymesh writes HTTPRoute rules[].retry)',
    // The standard-channel schema has no rules[].retry: server-side apply refuses the field
    // ("field not declared in schema", measured in test/integration/dry-run-golden.test.ts).
    annotation: {
      key: 'gateway.networking.k8s.io/channel',
      value: 'experimental',
      why: 'ambient output with retries (HTTPRoute rules[].retry) will be refused by the API server',
    },
  },
];

/** The ambient data plane: istiod in ambient mode, the CNI node agent and ztunnel on every node. */
function ambient(version: string): InstallProfile {
  return {
    description:
      'ambient data plane: base, istiod (profile=ambient), istio-cni (profile=ambient) and ztunnel, after the Gateway API CRDs',
    charts: [
      {
        release: 'istio-base',
        chart: 'base',
        version,
        ownsCrds: true,
        defaultValues: { defaultRevision: 'default' },
      },
      { release: 'istiod', chart: 'istiod', version, defaultValues: { profile: 'ambient' } },
      { release: 'istio-cni', chart: 'cni', version, defaultValues: { profile: 'ambient' } },
      { release: 'ztunnel', chart: 'ztunnel', version },
    ],
    crdPrerequisites: gatewayApi,
    readiness: {
      crds: istioCrds,
      workloads: [
        { kind: 'Deployment', name: 'istiod' },
        { kind: 'DaemonSet', name: 'istio-cni-node' },
        { kind: 'DaemonSet', name: 'ztunnel' },
      ],
      webhooks,
    },
  };
}

function istio(version: string, minKubeMinor: number): MeshVersion {
  return {
    version,
    repo: ISTIO_REPO,
    charts: [
      // base holds the CRDs: istiod's webhooks and controllers need them first.
      {
        release: 'istio-base',
        chart: 'base',
        version,
        ownsCrds: true,
        defaultValues: { defaultRevision: 'default' },
      },
      { release: 'istiod', chart: 'istiod', version },
    ],
    minKubeMinor,
    crdPrerequisites: [],
    readiness: {
      crds: istioCrds,
      workloads: [{ kind: 'Deployment', name: 'istiod' }],
      webhooks,
    },
    profiles: { ambient: ambient(version) },
    license: 'Apache-2.0',
  };
}

export const istioInstall: HelmInstall = {
  method: 'helm',
  defaultNamespace: 'istio-system',
  apiGroups: ['networking.istio.io', 'security.istio.io', 'telemetry.istio.io', 'extensions.istio.io'],
  defaultProfile: { id: 'sidecar', description: 'sidecar data plane: base and istiod' },
  policyResources: [
    { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices', kind: 'VirtualService' },
    { group: 'networking.istio.io', version: 'v1', plural: 'destinationrules', kind: 'DestinationRule' },
    {
      group: 'security.istio.io',
      version: 'v1',
      plural: 'peerauthentications',
      kind: 'PeerAuthentication',
    },
    {
      group: 'security.istio.io',
      version: 'v1',
      plural: 'authorizationpolicies',
      kind: 'AuthorizationPolicy',
    },
    // The ambient output (istio.dataplane=ambient): HTTPRoutes, waypoint Gateways and the leaf
    // Services per version. Linkerd and App Mesh write HTTPRoutes or leaf Services too, so an
    // object of these kinds counts for Istio only when its ApplySet was applied for Istio.
    {
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      plural: 'httproutes',
      kind: 'HTTPRoute',
      shared: true,
    },
    { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gateways', kind: 'Gateway', shared: true },
    { group: '', version: 'v1', plural: 'services', kind: 'Service', shared: true },
  ],
  versions: [istio('1.30.3', 31), istio('1.29.2', 30)],
  docs: 'https://istio.io/latest/docs/setup/install/helm/',
};
