/**
 * How Istio is installed: the official charts, `base` (CRDs, cluster roles, the default validating
 * webhook) before `istiod`, both in istio-system
 * (https://istio.io/latest/docs/setup/install/helm/, repo istio-release.storage.googleapis.com/charts).
 */
import type { HelmInstall, MeshVersion } from '../../core/install-catalogue.js';

const ISTIO_REPO = 'https://istio-release.storage.googleapis.com/charts';

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

export const istioInstall: HelmInstall = {
  method: 'helm',
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
};
