/**
 * The version catalogue: per mesh and version, where the official Helm charts live, which charts are
 * installed in which order and namespace, what must already be on the cluster, and how to tell that
 * the control plane is ready. Data only; install.ts, readiness.ts and discovery.ts read it.
 *
 * Sources (checked with upstream docs; see docs/install.md):
 * - Istio: https://istio.io/latest/docs/setup/install/helm/ — repo istio-release.storage.googleapis.com/charts,
 *   `base` (CRDs, cluster roles, the default validating webhook) before `istiod`, both in istio-system.
 * - Linkerd: https://linkerd.io/2-edge/tasks/install-helm/ — repo helm.linkerd.io/edge (open-source
 *   charts are published for edge releases only since 2.15; chart version YYYY.M.P = edge-YY.M.P),
 *   `linkerd-crds` then `linkerd-control-plane` in `linkerd`; the control plane needs a trust anchor and
 *   an issuer certificate (identityTrustAnchorsPEM, identity.issuer.tls.crtPEM/keyPEM); from 2.19 the
 *   Gateway API CRDs must be installed separately (installGatewayAPI is off).
 * - Consul: https://developer.hashicorp.com/consul/docs/k8s/installation/install — repo
 *   helm.releases.hashicorp.com, chart `consul` (consul-k8s) in `consul`. Consul 1.17+ is BUSL-1.1.
 * - App Mesh: no install. AWS ends support on 2026-09-30; `anymesh register appmesh` records an
 *   existing controller instead.
 */
import type { MeshId } from '../../core/model/schema.js';

export type InstallableMesh = 'istio' | 'linkerd' | 'consul';
export const INSTALLABLE_MESHES: readonly InstallableMesh[] = ['istio', 'linkerd', 'consul'];

/** A workload whose readiness the installer waits for. */
export interface WorkloadCheck {
  readonly kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  readonly name: string;
}

/** A webhook configuration whose services must have ready endpoints. */
export interface WebhookCheck {
  readonly kind: 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration';
  /** `{namespace}` is replaced by the control plane namespace. */
  readonly name: string;
}

export interface ChartRef {
  /** Helm release name (what `helm list` shows). */
  readonly release: string;
  /** Chart name in the repository. */
  readonly chart: string;
  /** Chart version (helm --version). */
  readonly version: string;
  /** Values anymesh sets unless the user overrides them. */
  readonly defaultValues?: Readonly<Record<string, unknown>>;
  /** Values the chart cannot do without, with what to put there (checked before helm runs). */
  readonly requiredValues?: readonly { readonly path: string; readonly hint: string }[];
  /** True for charts that hold the mesh's CRDs: uninstalling them deletes every policy object. */
  readonly ownsCrds?: boolean;
}

export interface CrdPrerequisite {
  /** CRD name that must exist before the charts are installed. */
  readonly crd: string;
  /** What the user should do when it is missing. */
  readonly hint: string;
}

/** A resource kind that anymesh-managed policies of this mesh are stored as. */
export interface PolicyResource {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
}

export interface MeshVersion {
  /** The mesh's own version, as users say it (`--version`). */
  readonly version: string;
  /** Chart repository URL (helm --repo). */
  readonly repo: string;
  /** Charts in install order (uninstall runs them backwards). */
  readonly charts: readonly ChartRef[];
  /** Minimum Kubernetes minor version the release supports (1.x). */
  readonly minKubeMinor: number;
  readonly crdPrerequisites: readonly CrdPrerequisite[];
  readonly readiness: {
    readonly crds: readonly string[];
    readonly workloads: readonly WorkloadCheck[];
    readonly webhooks: readonly WebhookCheck[];
  };
  /** Licence of the mesh itself (Consul 1.17+ is BUSL-1.1). */
  readonly license: string;
  /** Release channel note shown by install and docs. */
  readonly note?: string;
}

export interface MeshEntry {
  readonly mesh: InstallableMesh;
  readonly displayName: string;
  readonly defaultNamespace: string;
  /** API groups the mesh's CRDs live in (preflight reports which are present). */
  readonly apiGroups: readonly string[];
  /** Where anymesh-managed policies of this mesh live (uninstall refuses while any exist). */
  readonly policyResources: readonly PolicyResource[];
  /** Newest first. */
  readonly versions: readonly MeshVersion[];
  readonly docs: string;
}

const ISTIO_REPO = 'https://istio-release.storage.googleapis.com/charts';
const LINKERD_REPO = 'https://helm.linkerd.io/edge';
const CONSUL_REPO = 'https://helm.releases.hashicorp.com';

const istioCrds = [
  'virtualservices.networking.istio.io',
  'destinationrules.networking.istio.io',
  'peerauthentications.security.istio.io',
  'authorizationpolicies.security.istio.io',
];

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
      webhooks: [
        { kind: 'MutatingWebhookConfiguration', name: 'istio-sidecar-injector' },
        { kind: 'ValidatingWebhookConfiguration', name: 'istio-validator-{namespace}' },
      ],
    },
    license: 'Apache-2.0',
  };
}

const linkerdIdentityValues = [
  {
    path: 'identityTrustAnchorsPEM',
    hint: 'the trust anchor certificate (PEM), e.g. --set-file style: -f values.yaml',
  },
  { path: 'identity.issuer.tls.crtPEM', hint: 'the issuer certificate (PEM), signed by the trust anchor' },
  { path: 'identity.issuer.tls.keyPEM', hint: 'the issuer private key (PEM)' },
] as const;

const gatewayApiPrereq: CrdPrerequisite[] = [
  {
    crd: 'httproutes.gateway.networking.k8s.io',
    hint: 'Linkerd 2.19+ does not install the Gateway API CRDs: install them first (kubectl apply -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.4.0/standard-install.yaml)',
  },
  {
    crd: 'grpcroutes.gateway.networking.k8s.io',
    hint: 'install the Gateway API standard channel CRDs first (Linkerd 2.19+)',
  },
];

function linkerd(version: string, chartVersion: string, gatewayApiSeparate: boolean): MeshVersion {
  return {
    version,
    repo: LINKERD_REPO,
    charts: [
      {
        release: 'linkerd-crds',
        chart: 'linkerd-crds',
        version: chartVersion,
        ownsCrds: true,
        ...(gatewayApiSeparate ? { defaultValues: { installGatewayAPI: false } } : {}),
      },
      {
        release: 'linkerd-control-plane',
        chart: 'linkerd-control-plane',
        version: chartVersion,
        requiredValues: linkerdIdentityValues,
      },
    ],
    minKubeMinor: 22,
    crdPrerequisites: gatewayApiSeparate ? gatewayApiPrereq : [],
    readiness: {
      crds: [
        'servers.policy.linkerd.io',
        'authorizationpolicies.policy.linkerd.io',
        'meshtlsauthentications.policy.linkerd.io',
        'httproutes.policy.linkerd.io',
      ],
      workloads: [
        { kind: 'Deployment', name: 'linkerd-identity' },
        { kind: 'Deployment', name: 'linkerd-destination' },
        { kind: 'Deployment', name: 'linkerd-proxy-injector' },
      ],
      webhooks: [
        { kind: 'MutatingWebhookConfiguration', name: 'linkerd-proxy-injector-webhook-config' },
        { kind: 'ValidatingWebhookConfiguration', name: 'linkerd-policy-validator-webhook-config' },
      ],
    },
    license: 'Apache-2.0',
    note: `open-source Linkerd charts are edge releases (chart ${chartVersion}); stable ${version} builds come from a vendor`,
  };
}

function consul(version: string, chartVersion: string, license: string): MeshVersion {
  return {
    version,
    repo: CONSUL_REPO,
    charts: [
      {
        release: 'consul',
        chart: 'consul',
        version: chartVersion,
        ownsCrds: true,
        defaultValues: { global: { name: 'consul' }, connectInject: { enabled: true } },
      },
    ],
    minKubeMinor: 26,
    crdPrerequisites: [],
    readiness: {
      crds: [
        'servicedefaults.consul.hashicorp.com',
        'serviceintentions.consul.hashicorp.com',
        'servicerouters.consul.hashicorp.com',
        'servicesplitters.consul.hashicorp.com',
        'serviceresolvers.consul.hashicorp.com',
      ],
      workloads: [
        { kind: 'StatefulSet', name: 'consul-server' },
        { kind: 'Deployment', name: 'consul-connect-injector' },
      ],
      webhooks: [{ kind: 'MutatingWebhookConfiguration', name: 'consul-connect-injector' }],
    },
    license,
  };
}

export const CATALOGUE: Readonly<Record<InstallableMesh, MeshEntry>> = {
  istio: {
    mesh: 'istio',
    displayName: 'Istio',
    defaultNamespace: 'istio-system',
    apiGroups: ['networking.istio.io', 'security.istio.io', 'telemetry.istio.io', 'extensions.istio.io'],
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
    ],
    versions: [istio('1.30.3', 31), istio('1.29.2', 30)],
    docs: 'https://istio.io/latest/docs/setup/install/helm/',
  },
  linkerd: {
    mesh: 'linkerd',
    displayName: 'Linkerd',
    defaultNamespace: 'linkerd',
    apiGroups: ['linkerd.io', 'policy.linkerd.io', 'workload.linkerd.io'],
    policyResources: [
      { group: 'policy.linkerd.io', version: 'v1beta3', plural: 'servers', kind: 'Server' },
      {
        group: 'policy.linkerd.io',
        version: 'v1alpha1',
        plural: 'authorizationpolicies',
        kind: 'AuthorizationPolicy',
      },
      {
        group: 'policy.linkerd.io',
        version: 'v1alpha1',
        plural: 'meshtlsauthentications',
        kind: 'MeshTLSAuthentication',
      },
      { group: 'policy.linkerd.io', version: 'v1beta3', plural: 'httproutes', kind: 'HTTPRoute' },
      // Linkerd routes through Gateway API HTTPRoutes with a Service parent (GAMMA).
      { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes', kind: 'HTTPRoute' },
    ],
    versions: [
      linkerd('2.20', '2026.8.3', true),
      linkerd('2.19', '2025.10.7', true),
      linkerd('2.18', '2025.4.4', false),
    ],
    docs: 'https://linkerd.io/2-edge/tasks/install-helm/',
  },
  consul: {
    mesh: 'consul',
    displayName: 'Consul',
    defaultNamespace: 'consul',
    apiGroups: ['consul.hashicorp.com'],
    policyResources: [
      {
        group: 'consul.hashicorp.com',
        version: 'v1alpha1',
        plural: 'servicedefaults',
        kind: 'ServiceDefaults',
      },
      { group: 'consul.hashicorp.com', version: 'v1alpha1', plural: 'servicerouters', kind: 'ServiceRouter' },
      {
        group: 'consul.hashicorp.com',
        version: 'v1alpha1',
        plural: 'servicesplitters',
        kind: 'ServiceSplitter',
      },
      {
        group: 'consul.hashicorp.com',
        version: 'v1alpha1',
        plural: 'serviceresolvers',
        kind: 'ServiceResolver',
      },
      {
        group: 'consul.hashicorp.com',
        version: 'v1alpha1',
        plural: 'serviceintentions',
        kind: 'ServiceIntentions',
      },
      { group: 'consul.hashicorp.com', version: 'v1alpha1', plural: 'proxydefaults', kind: 'ProxyDefaults' },
      { group: 'consul.hashicorp.com', version: 'v1alpha1', plural: 'meshes', kind: 'Mesh' },
    ],
    versions: [consul('2.0.3', '2.0.3', 'BUSL-1.1'), consul('1.16.3', '1.2.3', 'MPL-2.0')],
    docs: 'https://developer.hashicorp.com/consul/docs/k8s/installation/install',
  },
};

/** App Mesh is registered, never installed: what `register appmesh` looks for. */
export const APPMESH_REGISTRATION = {
  mesh: 'appmesh' as MeshId,
  displayName: 'AWS App Mesh',
  endOfSupport: '2026-09-30',
  controller: { kind: 'Deployment' as const, name: 'appmesh-controller', defaultNamespace: 'appmesh-system' },
  crds: [
    'meshes.appmesh.k8s.aws',
    'virtualnodes.appmesh.k8s.aws',
    'virtualservices.appmesh.k8s.aws',
    'virtualrouters.appmesh.k8s.aws',
  ],
  policyResources: [
    { group: 'appmesh.k8s.aws', version: 'v1beta2', plural: 'virtualservices', kind: 'VirtualService' },
    { group: 'appmesh.k8s.aws', version: 'v1beta2', plural: 'virtualrouters', kind: 'VirtualRouter' },
    { group: 'appmesh.k8s.aws', version: 'v1beta2', plural: 'virtualnodes', kind: 'VirtualNode' },
  ] satisfies PolicyResource[],
  /** ConfigMap (in the controller namespace) where registration is recorded. */
  recordName: 'anymesh-registration',
  advice:
    'AWS ends support for App Mesh on 2026-09-30: anymesh does not install it; plan a move to Istio, Linkerd or Consul (anymesh compile --mesh <other>).',
};

export function isInstallable(mesh: string): mesh is InstallableMesh {
  return (INSTALLABLE_MESHES as readonly string[]).includes(mesh);
}

/** The catalogue entry for `version` (exact, or a prefix such as 1.30), or the newest when omitted. */
export function findVersion(mesh: InstallableMesh, version?: string): MeshVersion | undefined {
  const entry = CATALOGUE[mesh];
  if (!version) return entry.versions[0];
  const v = version.replace(/^v/, '');
  return (
    entry.versions.find((x) => x.version === v) ??
    entry.versions.find((x) => x.version.startsWith(`${v}.`) || v.startsWith(`${x.version}.`)) ??
    entry.versions.find((x) => x.charts.some((c) => c.version === v))
  );
}

/** Webhook configuration name with its namespace placeholder filled in. */
export function webhookName(check: WebhookCheck, namespace: string): string {
  return check.name.replace('{namespace}', namespace);
}
