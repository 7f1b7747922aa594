/**
 * How Consul is installed (https://developer.hashicorp.com/consul/docs/k8s/installation/install,
 * repo helm.releases.hashicorp.com): chart `consul` (consul-k8s) in `consul`. Consul 1.17+ is BUSL-1.1.
 */
import type { HelmInstall, MeshVersion } from '../../core/install-catalogue.js';

const CONSUL_REPO = 'https://helm.releases.hashicorp.com';

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

export const consulInstall: HelmInstall = {
  method: 'helm',
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
};
