// `anymesh install / status / uninstall / register` against a real cluster: kube-apiserver + etcd from
// the harness, kube-controller-manager + kube-scheduler (Deployments become ReplicaSets and pods, pods
// get bound, Services get EndpointSlices) and kwok (a simulated node whose pods become Running/Ready
// without a kubelet), all built from the Go module proxy by scripts/test-tools.sh. Helm is the real CLI
// (same script). Charts: the small Istio-shaped charts under test/charts, packaged for two catalogue
// versions and served from a chart repository on 127.0.0.1.
//
// This file starts its own cluster (without the shared CRDs): it installs and removes mesh CRDs and
// control planes cluster-wide, which must not disturb the shared cluster's other tests, and "is a mesh
// installed?" must start from an empty cluster.
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, kubeRequest, logTail } from './harness.js';
import { type CliResult, cli, type InstallEnv, repoRoot, startInstallEnv } from './install-support.js';

let env: InstallEnv;
let cluster: Cluster;
let work: string;
let repoUrl: string;
let t: Record<string, string>;
const kc = () => env.kc();
const apply = (obj: Record<string, unknown>, path: string) => env.apply(obj, path);

async function del(path: string): Promise<void> {
  await kubeRequest(cluster.kubeConfig, 'DELETE', path).catch(() => {});
}

beforeAll(async () => {
  env = await startInstallEnv('install-test', [
    {
      path: 'istio/base',
      versions: [
        ['1.29.2', '1.29.2'],
        ['1.30.3', '1.30.3'],
      ],
    },
    {
      path: 'istio/istiod',
      versions: [
        ['1.29.2', '1.29.2'],
        ['1.30.3', '1.30.3'],
      ],
    },
    { path: 'linkerd/linkerd-crds' },
    { path: 'linkerd/linkerd-control-plane' },
  ]);
  ({ cluster, work, repoUrl, tools: t } = env);
}, 300_000);

afterAll(async () => {
  await env?.stop();
});

describe('install, status, upgrade, uninstall (real helm, kwok, kube-controller-manager)', () => {
  it('renders the manifests with helm template, CRDs included', async () => {
    const r = await cli('install', 'istio', '--version', '1.30.3', '--render', '--repo', repoUrl);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('kind: CustomResourceDefinition');
    expect(r.out).toContain('name: virtualservices.networking.istio.io');
    expect(r.out).toContain('image: "docker.io/istio/pilot:1.30.3"');
    expect(r.out).toContain('# chart base 1.30.3');
    expect(r.out.indexOf('# chart base')).toBeLessThan(r.out.indexOf('# chart istiod'));
  });

  it('preflight refuses a user who may not create what the charts install', async () => {
    const viewer = await cluster.createUser('viewer', {
      rules: [
        { apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] },
        { nonResourceURLs: ['*'], verbs: ['get'] },
      ],
    });
    const r = await cli('install', 'istio', '--repo', repoUrl, '--kubeconfig', viewer, '--timeout', '20s');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /FAIL permissions: not allowed to: .*create customresourcedefinitions\.apiextensions\.k8s\.io/,
    );
    expect(r.err).toContain('ok   kubernetes-version: Kubernetes v1.37');
    expect(r.err).toMatch(/error AM5050: Istio 1\.30\.3: preflight permissions failed: not allowed to: /);
  });

  it('preflight for Linkerd names the missing Gateway API CRDs and identity values', async () => {
    const r = await cli('install', 'linkerd', ...kc(), '--repo', repoUrl);
    expect(r.code).toBe(1);
    expect(r.err).toContain('FAIL crd-prerequisites: missing CRDs: httproutes.gateway.networking.k8s.io');
    expect(r.err).toContain('FAIL values: missing values: identityTrustAnchorsPEM (linkerd-control-plane)');
  });

  it('installs Istio 1.29.2: base then istiod, waits until the Deployment is Available and the webhooks have endpoints', async () => {
    const r = await cli(
      'install',
      'istio',
      '--version',
      '1.29.2',
      '--repo',
      repoUrl,
      ...kc(),
      '--timeout',
      '60s',
      '-o',
      'json',
    );
    expect(
      r.code,
      `${r.err}\nkcm: ${logTail(join(work, 'kube-controller-manager.log'), 10)}\nkwok: ${logTail(join(work, 'kwok.log'), 10)}`,
    ).toBe(0);
    const result = JSON.parse(r.out);
    expect(result.charts.map((c: { release: string; action: string }) => `${c.release}:${c.action}`)).toEqual(
      ['istio-base:installed', 'istiod:installed'],
    );
    expect(r.err).toMatch(/\[1\/2\] istio-base \(base 1\.29\.2\): helm upgrade --install/);
    expect(r.err).toMatch(/ready: Deployment istio-system\/istiod \(Available, 1\/1 ready\)/);
    const kinds = result.readiness.map(
      (x: { kind: string; name: string; ready: boolean }) => `${x.kind}/${x.name}:${x.ready}`,
    );
    expect(kinds).toContain('MutatingWebhookConfiguration/istio-sidecar-injector:true');
    expect(kinds).toContain('ValidatingWebhookConfiguration/istio-validator-istio-system:true');
    expect(kinds).toContain('CustomResourceDefinition/peerauthentications.security.istio.io:true');
  });

  it('status finds the mesh anymesh installed, its version, health, meshed namespaces and policies', async () => {
    await apply(
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'bookinfo', labels: { 'istio-injection': 'enabled' } },
      },
      '/api/v1/namespaces/bookinfo',
    );
    await apply(
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: {
          name: 'reviews',
          namespace: 'bookinfo',
          labels: { 'app.kubernetes.io/managed-by': 'anymesh' },
          annotations: { 'anymesh.dev/source-policies': 'TrafficPolicy/bookinfo/reviews' },
        },
        spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] },
      },
      '/apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices/reviews',
    );
    const r = await cli('status', ...kc(), '-o', 'json');
    expect(r.code, r.err).toBe(0);
    const istio = JSON.parse(r.out).meshes.find((m: { mesh: string }) => m.mesh === 'istio');
    expect(istio).toMatchObject({
      installed: true,
      installedBy: 'anymesh',
      namespace: 'istio-system',
      version: '1.29.2',
      healthy: true,
      namespaces: ['bookinfo'],
    });
    expect(istio.policies).toEqual([
      {
        kind: 'VirtualService',
        apiVersion: 'networking.istio.io/v1',
        namespace: 'bookinfo',
        name: 'reviews',
        sources: ['TrafficPolicy/bookinfo/reviews'],
      },
    ]);
    expect(
      istio.releases.map((x: { name: string; version: string }) => `${x.name}@${x.version}`).sort(),
    ).toEqual(['istio-base@1.29.2', 'istiod@1.29.2']);
    const table = await cli('status', ...kc());
    expect(table.out).toMatch(/^istio\s+yes\s+anymesh\s+istio-system\s+1\.29\.2\s+yes\s+bookinfo\s+1$/m);
    expect(table.out).toMatch(/^linkerd\s+no\s+-/m);
  });

  it('upgrades to 1.30.3 with helm upgrade', async () => {
    const r = await cli(
      'install',
      'istio',
      '--version',
      '1.30.3',
      '--repo',
      repoUrl,
      ...kc(),
      '--timeout',
      '60s',
      '-o',
      'json',
    );
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).charts.map((c: { action: string }) => c.action)).toEqual([
      'upgraded',
      'upgraded',
    ]);
    const s = JSON.parse((await cli('status', ...kc(), '-o', 'json')).out).meshes.find(
      (m: { mesh: string }) => m.mesh === 'istio',
    );
    expect(s.version).toBe('1.30.3');
  });

  it('refuses a downgrade that removes a CRD anymesh-managed objects use, unless --force', async () => {
    await apply(
      {
        apiVersion: 'extensions.istio.io/v1alpha1',
        kind: 'TrafficExtension',
        metadata: {
          name: 'ext',
          namespace: 'bookinfo',
          labels: { 'app.kubernetes.io/managed-by': 'anymesh' },
        },
        spec: {},
      },
      '/apis/extensions.istio.io/v1alpha1/namespaces/bookinfo/trafficextensions/ext',
    );
    const r = await cli(
      'install',
      'istio',
      '--version',
      '1.29.2',
      '--repo',
      repoUrl,
      ...kc(),
      '--timeout',
      '1m',
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'error AM5053: istio-base 1.29.2 would remove CRDs that anymesh-managed objects still use: TrafficExtension bookinfo/ext',
    );
    // --force: the downgrade goes ahead and Helm deletes the CRD (and with it the object).
    const forced = await cli(
      'install',
      'istio',
      '--version',
      '1.29.2',
      '--repo',
      repoUrl,
      ...kc(),
      '--timeout',
      '60s',
      '--force',
    );
    expect(forced.code, forced.err).toBe(0);
    expect(forced.err).toContain('this version removes CRDs trafficextensions.extensions.istio.io');
    const crd = await kubeRequest(
      cluster.kubeConfig,
      'GET',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/trafficextensions.extensions.istio.io',
    ).catch((e) => e);
    expect(crd.code).toBe(404);
  });

  it('reports why a chart is not ready and rolls it back', async () => {
    const r = await cli(
      'install',
      'istio',
      '--version',
      '1.30.3',
      '--repo',
      repoUrl,
      ...kc(),
      '--timeout',
      '15s',
      '--set',
      'pilot.nodeSelector.disk=ssd',
      '-o',
      'json',
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /NOT READY: Deployment istio-system\/istiod: .*unschedulable: 0\/1 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector/,
    );
    expect(r.err).toContain('rolling istiod back to revision 3');
    expect(r.err).toMatch(
      /error AM5051: Istio 1\.30\.3: Deployment istio-system\/istiod not ready within the timeout: /,
    );
    expect(r.err).toContain('warning AM5056: istiod: rolled back to revision 3');
    expect(JSON.parse(r.out).charts.at(-1)).toMatchObject({ release: 'istiod', action: 'rolled-back' });
  });

  it('uninstall refuses while anymesh policies exist, then removes the releases', async () => {
    const refused = await cli('uninstall', 'istio', ...kc());
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(
      'error AM5054: 1 anymesh-managed policy still depends on Istio: VirtualService bookinfo/reviews',
    );
    await del('/apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices/reviews');
    const r = await cli('uninstall', 'istio', ...kc());
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('removed istio-system/istiod, istio-system/istio-base');
    const s = JSON.parse((await cli('status', ...kc(), '-o', 'json')).out).meshes.find(
      (m: { mesh: string }) => m.mesh === 'istio',
    );
    expect(s.installed).toBe(false);
  });

  it('status finds an Istio installed by hand (CRDs + istiod applied directly), and install refuses to fight it', async () => {
    const rendered = execFileSync(t.ANYMESH_HELM!, [
      'template',
      'istiod',
      join(repoRoot, 'test/charts/istio/istiod'),
      '--namespace',
      'istio-system',
    ]).toString();
    const { parseAllDocuments } = await import('yaml');
    await apply(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } },
      '/api/v1/namespaces/istio-system',
    );
    const dep = parseAllDocuments(rendered)
      .map((d) => d.toJS())
      .find((o) => o?.kind === 'Deployment');
    delete dep.metadata.labels['helm.sh/chart'];
    dep.metadata.labels['app.kubernetes.io/version'] = '1.28.1';
    await apply(dep, '/apis/apps/v1/namespaces/istio-system/deployments/istiod');
    // CRDs are still there (the base chart marks them helm.sh/resource-policy: keep).
    const deadline = Date.now() + 60_000;
    let istio: Record<string, unknown> = {};
    while (Date.now() < deadline) {
      istio = JSON.parse((await cli('status', ...kc(), '-o', 'json')).out).meshes.find(
        (m: { mesh: string }) => m.mesh === 'istio',
      );
      if (
        (istio.components as { kind: string; ready: boolean }[]).find((c) => c.kind === 'Deployment')?.ready
      )
        break;
      await new Promise((d) => setTimeout(d, 500));
    }
    expect(istio).toMatchObject({
      installed: true,
      installedBy: 'manual',
      namespace: 'istio-system',
      version: '1.28.1',
    });
    // No webhooks were applied by hand: unhealthy, and status says which.
    expect(istio.healthy).toBe(false);
    expect(
      (istio.components as { name: string; ready: boolean; reason: string }[]).find(
        (c) => c.name === 'istio-sidecar-injector',
      ),
    ).toMatchObject({ ready: false, reason: 'not found' });
    const r = await cli('install', 'istio', '--repo', repoUrl, ...kc());
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /error AM5050: Istio 1\.30\.3: preflight conflicts failed: Istio is already installed without Helm in istio-system/,
    );
    const other = await cli('install', 'consul', '--repo', repoUrl, ...kc());
    expect(other.err).toMatch(/FAIL conflicts: Istio \(istio-system, installed by manual\) already running/);
    await del('/apis/apps/v1/namespaces/istio-system/deployments/istiod');
  });

  it('installs Linkerd 2.20 once the Gateway API CRDs and identity values are there; status and uninstall', async () => {
    const crdRoot = process.env.ANYMESH_CRDS ?? join(repoRoot, '..', 'shared', 'crds');
    const { parseAllDocuments } = await import('yaml');
    for (const f of ['httproutes', 'grpcroutes']) {
      const crd = parseAllDocuments(
        await readFile(join(crdRoot, 'gateway-api/standard', `gateway.networking.k8s.io_${f}.yaml`), 'utf8'),
      )[0]!.toJS();
      await apply(crd, `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
    }
    const values = join(work, 'linkerd-identity.yaml');
    await writeFile(
      values,
      'identityTrustAnchorsPEM: "-----BEGIN CERTIFICATE-----\\n..."\nidentity:\n  issuer:\n    tls:\n      crtPEM: "-----BEGIN CERTIFICATE-----"\n      keyPEM: "-----BEGIN EC PRIVATE KEY-----"\n',
    );
    const r = await cli(
      'install',
      'linkerd',
      '--version',
      '2.20',
      '--repo',
      repoUrl,
      '-f',
      values,
      ...kc(),
      '--timeout',
      '60s',
      '-o',
      'json',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(
      'ok   crd-prerequisites: httproutes.gateway.networking.k8s.io, grpcroutes.gateway.networking.k8s.io',
    );
    const result = JSON.parse(r.out);
    expect(result.charts.map((c: { release: string; action: string }) => `${c.release}:${c.action}`)).toEqual(
      ['linkerd-crds:installed', 'linkerd-control-plane:installed'],
    );
    expect(result.readiness.filter((x: { ready: boolean }) => x.ready).length).toBe(result.readiness.length);
    expect(result.readiness.map((x: { kind: string; name: string }) => `${x.kind}/${x.name}`)).toEqual(
      expect.arrayContaining([
        'Deployment/linkerd-identity',
        'Deployment/linkerd-destination',
        'Deployment/linkerd-proxy-injector',
        'ValidatingWebhookConfiguration/linkerd-policy-validator-webhook-config',
      ]),
    );
    await apply(
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'emojivoto', annotations: { 'linkerd.io/inject': 'enabled' } },
      },
      '/api/v1/namespaces/emojivoto',
    );
    const s = JSON.parse((await cli('status', ...kc(), '--mesh', 'linkerd', '-o', 'json')).out).meshes[0];
    expect(s).toMatchObject({
      installed: true,
      installedBy: 'anymesh',
      namespace: 'linkerd',
      version: '2.20',
      healthy: true,
      namespaces: ['emojivoto'],
    });
    const u = await cli('uninstall', 'linkerd', ...kc());
    expect(u.code, u.err).toBe(0);
    expect(u.err).toContain('removed linkerd/linkerd-control-plane, linkerd/linkerd-crds');
  });

  it('register appmesh: refuses without a controller, records one that is healthy', async () => {
    const none = await cli('register', 'appmesh', ...kc());
    expect(none.code).toBe(1);
    expect(none.err).toContain('no AWS App Mesh controller (Deployment appmesh-controller) found');
    expect(none.err).toContain('2026-09-30');
    const crdDir = join(process.env.ANYMESH_CRDS ?? join(repoRoot, '..', 'shared', 'crds'), 'appmesh');
    const { parseAllDocuments } = await import('yaml');
    for (const f of ['meshes', 'virtualnodes', 'virtualservices', 'virtualrouters']) {
      const crd = parseAllDocuments(
        await readFile(join(crdDir, `appmesh.k8s.aws_${f}.yaml`), 'utf8'),
      )[0]!.toJS();
      await apply(crd, `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
    }
    await apply(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'appmesh-system' } },
      '/api/v1/namespaces/appmesh-system',
    );
    await apply(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: 'appmesh-controller',
          namespace: 'appmesh-system',
          labels: { 'app.kubernetes.io/name': 'appmesh-controller' },
        },
        spec: {
          selector: { matchLabels: { 'app.kubernetes.io/name': 'appmesh-controller' } },
          template: {
            metadata: { labels: { 'app.kubernetes.io/name': 'appmesh-controller' } },
            spec: {
              containers: [
                {
                  name: 'controller',
                  image: '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon/appmesh-controller:v1.13.3',
                },
              ],
            },
          },
        },
      },
      '/apis/apps/v1/namespaces/appmesh-system/deployments/appmesh-controller',
    );
    let r: CliResult = { code: -1, out: '', err: '' };
    for (let i = 0; i < 60; i++) {
      r = await cli('register', 'appmesh', ...kc());
      if (r.code === 0) break;
      await new Promise((d) => setTimeout(d, 500));
    }
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('App Mesh controller appmesh-system v1.13.3 registered');
    const s = JSON.parse((await cli('status', ...kc(), '--mesh', 'appmesh', '-o', 'json')).out).meshes[0];
    expect(s).toMatchObject({
      mesh: 'appmesh',
      installed: true,
      installedBy: 'registered',
      version: 'v1.13.3',
      healthy: true,
    });
  });
});
