// `anymesh install consul / status / uninstall` against a real cluster, as install.test.ts does for
// Istio and Linkerd (shared set-up in install-support.ts): kube-apiserver + etcd from the harness,
// kube-controller-manager, kube-scheduler and kwok (pods become Running/Ready without a kubelet), real
// helm, and the Consul-shaped test chart under test/charts/consul/consul (see test/charts/README.md)
// packaged for both catalogue versions and served from a chart repository on 127.0.0.1.
//
// Its own cluster, without the shared CRDs: it installs and removes the consul.hashicorp.com CRDs and
// must start from a cluster with no mesh.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, kubeRequest, logTail } from './harness.js';
import { cli, type InstallEnv, startInstallEnv } from './install-support.js';

let env: InstallEnv;
let cluster: Cluster;
let work: string;
let repoUrl: string;
const kc = () => env.kc();
const apply = (obj: Record<string, unknown>, path: string) => env.apply(obj, path);

beforeAll(async () => {
  env = await startInstallEnv('install-consul-test', [
    // Both catalogue versions: chart 2.0.3 (Consul 2.0.3, the consul-k8s v2.0.3 chart's appVersion)
    // and chart 1.2.3 (Consul 1.16.3).
    {
      path: 'consul/consul',
      versions: [
        ['2.0.3', '2.0.3'],
        ['1.2.3', '1.16.3'],
      ],
    },
  ]);
  ({ cluster, work, repoUrl } = env);
}, 300_000);

afterAll(async () => {
  await env?.stop();
});

describe('install consul, status, uninstall (real helm, kwok, kube-controller-manager)', () => {
  it('installs Consul 2.0.3 (chart 2.0.3): CRDs, the server StatefulSet, the injector and its webhook are ready (stand-in chart from test/charts)', async () => {
    const r = await cli('install', 'consul', '--repo', repoUrl, ...kc(), '--timeout', '60s', '-o', 'json');
    expect(
      r.code,
      `${r.err}\nkcm: ${logTail(join(work, 'kube-controller-manager.log'), 10)}\nkwok: ${logTail(join(work, 'kwok.log'), 10)}`,
    ).toBe(0);
    expect(r.err).toMatch(/\[1\/1\] consul \(consul 2\.0\.3\): helm upgrade --install/);
    expect(r.err).toMatch(/ready: StatefulSet consul\/consul-server \(1\/1 ready\)/);
    expect(r.err).toMatch(/ready: Deployment consul\/consul-connect-injector \(Available, 1\/1 ready\)/);
    const result = JSON.parse(r.out);
    expect(result.charts.map((c: { release: string; action: string }) => `${c.release}:${c.action}`)).toEqual(
      ['consul:installed'],
    );
    expect(result.readiness.filter((x: { ready: boolean }) => !x.ready)).toEqual([]);
    expect(result.readiness.map((x: { kind: string; name: string }) => `${x.kind}/${x.name}`)).toEqual(
      expect.arrayContaining([
        'CustomResourceDefinition/servicedefaults.consul.hashicorp.com',
        'CustomResourceDefinition/serviceintentions.consul.hashicorp.com',
        'StatefulSet/consul-server',
        'Deployment/consul-connect-injector',
        'MutatingWebhookConfiguration/consul-connect-injector',
      ]),
    );
    // The catalogue's default values reached the chart: objects are named consul-<component>.
    const injector = await kubeRequest(
      cluster.kubeConfig,
      'GET',
      '/apis/apps/v1/namespaces/consul/deployments/consul-connect-injector',
    );
    expect(JSON.stringify(injector)).toContain('hashicorp/consul-k8s-control-plane:2.0.3');
  });

  it('status reports Consul installed by anymesh, healthy, with its version and meshed namespaces (stand-in chart from test/charts)', async () => {
    await apply(
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'hashicups', labels: { 'consul.hashicorp.com/connect-inject': 'true' } },
      },
      '/api/v1/namespaces/hashicups',
    );
    const r = await cli('status', ...kc(), '--mesh', 'consul', '-o', 'json');
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out).meshes[0];
    expect(s).toMatchObject({
      mesh: 'consul',
      installed: true,
      installedBy: 'anymesh',
      namespace: 'consul',
      version: '2.0.3',
      healthy: true,
      namespaces: ['hashicups'],
      crds: { present: 5, expected: 5 },
    });
    expect(s.releases.map((x: { name: string; version: string }) => `${x.name}@${x.version}`)).toEqual([
      'consul@2.0.3',
    ]);
    const table = await cli('status', ...kc());
    expect(table.out).toMatch(/^consul\s+yes\s+anymesh\s+consul\s+2\.0\.3\s+yes\s+hashicups\s+0$/m);
    expect(table.out).toMatch(/^istio\s+no\s+-/m);
  });

  it('uninstall removes the release, and with it the CRDs (stand-in chart from test/charts)', async () => {
    const u = await cli('uninstall', 'consul', ...kc());
    expect(u.code, u.err).toBe(0);
    expect(u.err).toContain('removed consul/consul');
    const s = JSON.parse((await cli('status', ...kc(), '--mesh', 'consul', '-o', 'json')).out).meshes[0];
    expect(s.installed).toBe(false);
    const crd = await kubeRequest(
      cluster.kubeConfig,
      'GET',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/servicedefaults.consul.hashicorp.com',
    ).catch((e) => e);
    expect(crd.code).toBe(404);
  });
});
