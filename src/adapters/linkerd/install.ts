/**
 * How Linkerd is installed (https://linkerd.io/2-edge/tasks/install-helm/, repo helm.linkerd.io/edge):
 * open-source charts are published for edge releases only since 2.15 (chart version YYYY.M.P =
 * edge-YY.M.P), `linkerd-crds` then `linkerd-control-plane` in `linkerd`; the control plane needs a
 * trust anchor and an issuer certificate (identityTrustAnchorsPEM, identity.issuer.tls.crtPEM/keyPEM);
 * from 2.19 the Gateway API CRDs must be installed separately (installGatewayAPI is off).
 */
import type { CrdPrerequisite, HelmInstall, MeshVersion } from '../../core/install-catalogue.js';

const LINKERD_REPO = 'https://helm.linkerd.io/edge';

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

export const linkerdInstall: HelmInstall = {
  method: 'helm',
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
    {
      group: 'policy.linkerd.io',
      version: 'v1alpha1',
      plural: 'networkauthentications',
      kind: 'NetworkAuthentication',
    },
    { group: 'policy.linkerd.io', version: 'v1beta3', plural: 'httproutes', kind: 'HTTPRoute' },
    {
      group: 'policy.linkerd.io',
      version: 'v1alpha1',
      plural: 'httplocalratelimitpolicies',
      kind: 'HTTPLocalRateLimitPolicy',
    },
    // Linkerd routes through Gateway API HTTPRoutes with a Service parent (GAMMA); Istio ambient
    // writes them too, so only those of Linkerd's ApplySet count (shared).
    {
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      plural: 'httproutes',
      kind: 'HTTPRoute',
      shared: true,
    },
    // gRPC policies become GRPCRoutes, and versions leaf Services (Istio ambient writes both too).
    {
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      plural: 'grpcroutes',
      kind: 'GRPCRoute',
      shared: true,
    },
    { group: '', version: 'v1', plural: 'services', kind: 'Service', shared: true },
  ],
  versions: [
    linkerd('2.20', '2026.8.3', true),
    linkerd('2.19', '2025.10.7', true),
    linkerd('2.18', '2025.4.4', false),
  ],
  docs: 'https://linkerd.io/2-edge/tasks/install-helm/',
};
