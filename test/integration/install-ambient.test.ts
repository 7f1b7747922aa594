// `anymesh install istio --profile ambient` with Istio's real Helm charts, then the ambient output on
// the same cluster: the namespace check (AM4112), status (profile, data plane per namespace,
// waypoints, ambient objects counted), prune, and uninstall.
//
// Charts: Istio's own base, istiod (istio-control/istio-discovery), cni (istio-cni) and ztunnel
// charts, as the module istio.io/istio carries them in manifests/charts (the commit the behaviour
// driver pins, master of 2026-08-27, fetched by scripts/istio-charts.sh), packaged with
// `helm package --version 1.30.3` because the catalogue asks for 1.30.3 and the source charts say
// 1.0.0 (the release builder stamps the version). They are the real templates and values: every
// object the published charts make, with `profile=ambient` resolved by the charts themselves.
// The cluster: kube-apiserver + etcd, kube-controller-manager (Deployments, DaemonSets, EndpointSlices),
// kube-scheduler and kwok (pods become Running and Ready on a simulated node without a kubelet or
// images), built by scripts/test-tools.sh. What kwok cannot show: the containers never run, so
// istiod never patches its webhooks or programs ztunnel, and no traffic flows; readiness here means
// what `kubectl rollout status` means (Deployment Available, DaemonSet pods ready on every node,
// webhooks with ready endpoints), not that ztunnel captures traffic.
//
// This file starts its own cluster: it installs a control plane cluster-wide.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { crdRoot, installCrds, kubeRequest, logTail, readCrdFile } from './harness.js';
import { cli, type InstallEnv, istioCharts, startInstallEnv } from './install-support.js';

let env: InstallEnv;
const kc = () => env.kc();
const VERSION = ['1.30.3', '1.30.3'] as const;

beforeAll(async () => {
  const charts = istioCharts();
  env = await startInstallEnv('install-ambient', [
    { path: join(charts, 'base'), versions: [VERSION] },
    { path: join(charts, 'istio-control/istio-discovery'), versions: [VERSION] },
    { path: join(charts, 'istio-cni'), versions: [VERSION] },
    { path: join(charts, 'ztunnel'), versions: [VERSION] },
  ]);
}, 300_000);

afterAll(async () => {
  await env?.stop();
});

interface StatusJson {
  meshes: {
    mesh: string;
    installed: boolean;
    installedBy: string;
    version?: string;
    profile?: string;
    healthy: boolean;
    components: { kind: string; name: string; ready: boolean; reason: string }[];
    releases: { name: string; chart: string; version: string }[];
    dataplanes?: Record<string, string>;
    waypoints?: { namespace: string; name: string }[];
    policies: { kind: string; namespace?: string; name: string }[];
  }[];
}

async function istioStatus(): Promise<StatusJson['meshes'][number]> {
  const r = await cli('status', ...kc(), '--mesh', 'istio,linkerd', '-o', 'json');
  expect(r.code, r.err).toBe(0);
  return (JSON.parse(r.out) as StatusJson).meshes[0]!;
}

const diagnose = () =>
  `kcm: ${logTail(join(env.work, 'kube-controller-manager.log'), 10)}\nkwok: ${logTail(join(env.work, 'kwok.log'), 10)}`;

/** A Service the user owns (the waypoint binding labels it; anymesh never creates it). */
async function userService(namespace: string, name: string): Promise<void> {
  await env.apply(
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace },
      spec: { selector: { app: name }, ports: [{ name: 'http', port: 8080 }] },
    },
    `/api/v1/namespaces/${namespace}/services/${name}`,
  );
}

async function namespace(name: string, labels: Record<string, string>): Promise<void> {
  await env.apply(
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } },
    `/api/v1/namespaces/${name}`,
  );
}

/** The Gateway API CRDs anymesh's ambient output uses, of one release channel (server-side applied). */
async function gatewayApi(channel: 'standard' | 'experimental'): Promise<void> {
  const files = ['gatewayclasses', 'gateways', 'httproutes', 'grpcroutes', 'referencegrants'];
  const crds = (
    await Promise.all(
      files.map((f) => readCrdFile(crdRoot(), `gateway-api/${channel}/gateway.networking.k8s.io_${f}.yaml`)),
    )
  ).flatMap((f) => f.crds);
  await installCrds(env.cluster.kubeConfig, crds);
}

/** A TrafficPolicy splitting `cart` 90/10 between versions (some of v1, v2) in `ns`. */
async function policyFile(ns: string, versions: readonly string[]): Promise<string> {
  const file = join(env.work, `cart-${ns}-${versions.join('')}.yaml`);
  const vs = versions.map((v) => `    ${v}: {version: ${v}}`).join('\n');
  const backends =
    versions.length === 1
      ? `[{version: ${versions[0]}}]`
      : `[{version: v1, weight: 90}, {version: v2, weight: 10}]`;
  await writeFile(
    file,
    `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: cart, namespace: ${ns}}
spec:
  service: cart
  port: 8080
  versions:
${vs}
  rules:
    - name: all
      backends: ${backends}
      timeout: 2s
`,
  );
  return file;
}

const AMBIENT = ['--option', 'istio.dataplane=ambient'];

describe('Istio ambient: install, namespace check, status, prune, uninstall (real helm, kwok, kube-controller-manager)', () => {
  it('renders the ambient profile with helm template: four charts in order, both DaemonSets (real charts: istio.io/istio manifests/charts)', async () => {
    const r = await cli('install', 'istio', '--profile', 'ambient', '--render', '--repo', env.repoUrl);
    expect(r.code, r.err).toBe(0);
    expect(r.out.split('\n')[0]).toContain(
      'Istio 1.30.3 profile ambient rendered by anymesh (helm template)',
    );
    const at = (chart: string) => r.out.indexOf(`# chart ${chart} 1.30.3`);
    expect(
      [at('base'), at('istiod'), at('cni'), at('ztunnel')].every(
        (x, i, a) => x >= 0 && (i === 0 || x > a[i - 1]!),
      ),
    ).toBe(true);
    // Both DaemonSets, parsed from the rendered documents (the charts' comments sit between fields).
    const daemonSets = parseAllDocuments(r.out)
      .map((d) => d.toJS() as { kind?: string; metadata?: { name: string } } | null)
      .filter((o) => o?.kind === 'DaemonSet')
      .map((o) => o!.metadata!.name);
    expect(daemonSets).toEqual(['istio-cni-node', 'ztunnel']);
  });

  it('installs the sidecar profile first: base and istiod only (real charts: istio.io/istio manifests/charts)', async () => {
    const r = await cli('install', 'istio', '--repo', env.repoUrl, ...kc(), '--timeout', '4m', '-o', 'json');
    expect(r.code, `${r.err}\n${diagnose()}`).toBe(0);
    const result = JSON.parse(r.out);
    expect(result.profile).toBe('sidecar');
    expect(result.charts.map((c: { release: string; action: string }) => `${c.release}:${c.action}`)).toEqual(
      ['istio-base:installed', 'istiod:installed'],
    );
    expect((await istioStatus()).profile).toBe('sidecar');
  }, 300_000);

  it('preflight refuses the ambient profile until the Gateway API CRDs are there (real charts: istio.io/istio manifests/charts)', async () => {
    const r = await cli('install', 'istio', '--profile', 'ambient', '--repo', env.repoUrl, ...kc());
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'FAIL crd-prerequisites: missing CRDs: gateways.gateway.networking.k8s.io: install the Gateway API CRDs first',
    );
    expect(r.err).toMatch(/ok {3}permissions: allowed to create what the charts install \(11 checks\)/);
    // The standard channel first, as most clusters have it: enough for Istio, not for retries.
    await gatewayApi('standard');
  });

  it('moves to ambient: upgrades base and istiod (profile=ambient), installs istio-cni (profile=ambient) and ztunnel in order, and waits for the DaemonSets (real charts: istio.io/istio manifests/charts)', async () => {
    const r = await cli(
      'install',
      'istio',
      '--profile',
      'ambient',
      '--repo',
      env.repoUrl,
      ...kc(),
      '--timeout',
      '4m',
      '-o',
      'json',
    );
    expect(r.code, `${r.err}\n${diagnose()}`).toBe(0);
    const result = JSON.parse(r.out);
    expect(result.profile).toBe('ambient');
    expect(result.charts.map((c: { release: string; action: string }) => `${c.release}:${c.action}`)).toEqual(
      ['istio-base:upgraded', 'istiod:upgraded', 'istio-cni:installed', 'ztunnel:installed'],
    );
    expect(r.err).toContain('preflight: Istio 1.30.3 (profile ambient) into istio-system');
    expect(r.err).toContain('upgrading Istio 1.30.3 (installed by anymesh, profile sidecar -> ambient)');
    // A warning, not a failure: Istio runs on the standard channel; anymesh's retries do not.
    expect(r.err).toContain(
      'warn crd-prerequisites: httproutes.gateway.networking.k8s.io has gateway.networking.k8s.io/channel: standard, not experimental: ambient output with retries (HTTPRoute rules[].retry) will be refused by the API server',
    );
    expect(r.err).toMatch(/\[3\/4\] istio-cni \(cni 1\.30\.3\): helm upgrade --install/);
    expect(r.err).toMatch(/ready: DaemonSet istio-system\/istio-cni-node \(1\/1 ready\)/);
    expect(r.err).toMatch(/ready: DaemonSet istio-system\/ztunnel \(1\/1 ready\)/);
    expect(r.err).toContain('istio 1.30.3 (profile ambient) is installed and ready in istio-system');
    const ready = result.readiness.map(
      (x: { kind: string; name: string; ready: boolean }) => `${x.kind}/${x.name}:${x.ready}`,
    );
    expect(ready).toEqual(
      expect.arrayContaining([
        'Deployment/istiod:true',
        'DaemonSet/istio-cni-node:true',
        'DaemonSet/ztunnel:true',
        'MutatingWebhookConfiguration/istio-sidecar-injector:true',
        'ValidatingWebhookConfiguration/istio-validator-istio-system:true',
      ]),
    );
    // The real istiod chart resolved profile=ambient itself (files/profile-ambient.yaml).
    const dep = (
      await kubeRequest(
        env.cluster.kubeConfig,
        'GET',
        '/apis/apps/v1/namespaces/istio-system/deployments/istiod',
      )
    ).body as {
      spec: { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } };
    };
    const envVars = dep.spec.template.spec.containers[0]!.env ?? [];
    expect(envVars.find((e) => e.name === 'PILOT_ENABLE_AMBIENT')?.value).toBe('true');
  }, 300_000);

  it('status: installed by anymesh with profile ambient, healthy with both DaemonSets (real charts: istio.io/istio manifests/charts)', async () => {
    const s = await istioStatus();
    expect(s).toMatchObject({
      installed: true,
      installedBy: 'anymesh',
      version: '1.30.3',
      profile: 'ambient',
      healthy: true,
    });
    expect(s.releases.map((x) => `${x.name}:${x.chart}@${x.version}`).sort()).toEqual([
      'istio-base:base@1.30.3',
      'istio-cni:cni@1.30.3',
      'istiod:istiod@1.30.3',
      'ztunnel:ztunnel@1.30.3',
    ]);
    expect(s.components.filter((c) => c.kind === 'DaemonSet').map((c) => `${c.name}:${c.ready}`)).toEqual([
      'istio-cni-node:true',
      'ztunnel:true',
    ]);
    const table = await cli('status', ...kc(), '--mesh', 'istio');
    expect(table.out).toContain('istio: install profile ambient');
  });

  it('the sidecar profile over an ambient install is refused: it would leave istio-cni and ztunnel behind (real charts: istio.io/istio manifests/charts)', async () => {
    const r = await cli('install', 'istio', '--repo', env.repoUrl, ...kc(), '--timeout', '1m');
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'FAIL conflicts: Istio runs with install profile ambient: profile sidecar would leave istio-cni, ztunnel behind; pass --profile ambient, or uninstall first',
    );
  });

  it('preflight is content once the experimental-channel Gateway API CRDs replace the standard ones (real charts: istio.io/istio manifests/charts)', async () => {
    await gatewayApi('experimental');
    const r = await cli(
      'install',
      'istio',
      '--profile',
      'ambient',
      '--repo',
      env.repoUrl,
      ...kc(),
      '--timeout',
      '4m',
    );
    expect(r.code, `${r.err}\n${diagnose()}`).toBe(0);
    expect(r.err).toContain(
      'ok   crd-prerequisites: gateways.gateway.networking.k8s.io, httproutes.gateway.networking.k8s.io',
    );
  }, 300_000);

  it('apply and diff refuse sidecar output into an ambient namespace and ambient output into a sidecar one, on the real API server (AM4112; real charts: istio.io/istio manifests/charts)', async () => {
    await namespace('shop', { 'istio.io/dataplane-mode': 'ambient' });
    await namespace('legacy', { 'istio-injection': 'enabled' });
    await userService('shop', 'cart');
    await userService('legacy', 'cart');
    const shop = await policyFile('shop', ['v1', 'v2']);
    const legacy = await policyFile('legacy', ['v1', 'v2']);

    const sidecarIntoAmbient = await cli('apply', '-f', shop, '--mesh', 'istio', ...kc());
    expect(sidecarIntoAmbient.code).toBe(1);
    expect(sidecarIntoAmbient.err).toMatch(/error AM4112: .*namespace shop/);
    expect(sidecarIntoAmbient.err).toContain('istio.io/dataplane-mode=ambient');
    const diff = await cli('diff', '-f', shop, '--mesh', 'istio', ...kc());
    expect(diff.err).toMatch(/error AM4112: .*namespace shop/);
    expect(diff.code).not.toBe(0);

    const ambientIntoSidecar = await cli('apply', '-f', legacy, '--mesh', 'istio', ...AMBIENT, ...kc());
    expect(ambientIntoSidecar.code).toBe(1);
    expect(ambientIntoSidecar.err).toMatch(/error AM4112: .*namespace legacy/);
    expect(ambientIntoSidecar.err).toContain('istio-injection=enabled');

    // Said explicitly, the check is off (a server-side dry run: nothing is written).
    const anyway = await cli(
      'apply',
      '-f',
      legacy,
      '--mesh',
      'istio',
      ...AMBIENT,
      '--option',
      'istio.anyNamespaceMode=true',
      '--dry-run=server',
      ...kc(),
    );
    expect(anyway.code, anyway.err).toBe(0);
    expect(anyway.err).not.toContain('AM4112');

    // Nothing of the refused runs reached the cluster.
    const routes = (
      await kubeRequest(env.cluster.kubeConfig, 'GET', '/apis/gateway.networking.k8s.io/v1/httproutes')
    ).body as { items: unknown[] };
    expect(routes.items).toEqual([]);
  });

  it('ambient output applies into the ambient namespace; status reports data planes, the waypoint and counts HTTPRoute, Gateway and leaf Services as Istio objects (real charts: istio.io/istio manifests/charts)', async () => {
    const shop = await policyFile('shop', ['v1', 'v2']);
    const r = await cli('apply', '-f', shop, '--mesh', 'istio', ...AMBIENT, '-n', 'shop', ...kc());
    expect(r.code, r.err).toBe(0);
    // A Linkerd set in another namespace writes an HTTPRoute and leaf Services too: not Istio's
    // (status below lists none of emoji's).
    await namespace('emoji', { 'linkerd.io/inject': 'enabled' });
    await userService('emoji', 'cart');
    const emoji = await policyFile('emoji', ['v1', 'v2']);
    const l = await cli('apply', '-f', emoji, '--mesh', 'linkerd', '-n', 'emoji', ...kc());
    expect(l.code, l.err).toBe(0);

    const s = await istioStatus();
    expect(s.dataplanes).toMatchObject({ shop: 'ambient', legacy: 'sidecar', emoji: 'none' });
    expect(s.waypoints).toEqual([{ namespace: 'shop', name: 'waypoint' }]);
    expect(s.policies.map((p) => `${p.kind} ${p.namespace}/${p.name}`).sort()).toEqual([
      'Gateway shop/waypoint',
      'HTTPRoute shop/cart',
      'Service shop/cart-v1',
      'Service shop/cart-v2',
    ]);
    const table = await cli('status', ...kc(), '--mesh', 'istio');
    expect(table.out).toContain('istio: 4 objects in shop from 1 policy (Gateway 1, HTTPRoute 1, Service 2)');
    expect(table.out).toContain('istio: namespace shop: ambient');
    expect(table.out).toContain('istio: waypoint shop/waypoint');
    // The user's Service got the binding label, and only that is anymesh's.
    const cart = (await kubeRequest(env.cluster.kubeConfig, 'GET', '/api/v1/namespaces/shop/services/cart'))
      .body as { metadata: { labels?: Record<string, string> }; spec: { ports: unknown[] } };
    expect(cart.metadata.labels?.['istio.io/use-waypoint']).toBe('waypoint');
    expect(cart.spec.ports).toHaveLength(1);
  });

  it('prune removes the leaf Service of a version no longer produced, never the user Service (real charts: istio.io/istio manifests/charts)', async () => {
    const v1only = await policyFile('shop', ['v1']);
    const r = await cli(
      'apply',
      '-f',
      v1only,
      '--mesh',
      'istio',
      ...AMBIENT,
      '-n',
      'shop',
      '--prune',
      ...kc(),
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out + r.err).toMatch(/Service shop\/cart-v2 pruned/);
    const s = await istioStatus();
    expect(s.policies.map((p) => `${p.kind} ${p.namespace}/${p.name}`).sort()).toEqual([
      'Gateway shop/waypoint',
      'HTTPRoute shop/cart',
      'Service shop/cart-v1',
    ]);
    const cart = await kubeRequest(env.cluster.kubeConfig, 'GET', '/api/v1/namespaces/shop/services/cart');
    expect(cart.status).toBe(200);
  });

  it('uninstall refuses while the ambient objects exist, then removes ztunnel, istio-cni, istiod and istio-base in that order (real charts: istio.io/istio manifests/charts)', async () => {
    const refused = await cli('uninstall', 'istio', ...kc());
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(
      /error AM5054: 3 anymesh-managed policies still depend on Istio: .*HTTPRoute shop\/cart/,
    );
    expect(refused.err).toContain('Gateway shop/waypoint');
    expect(refused.err).not.toContain('emoji');
    const v1only = await policyFile('shop', ['v1']);
    const d = await cli('delete', '-f', v1only, '--mesh', 'istio', ...AMBIENT, '-n', 'shop', ...kc());
    expect(d.code, d.err).toBe(0);
    const u = await cli('uninstall', 'istio', ...kc());
    expect(u.code, u.err).toBe(0);
    expect(u.err).toContain(
      'removed istio-system/ztunnel, istio-system/istio-cni, istio-system/istiod, istio-system/istio-base',
    );
    const s = await istioStatus();
    expect(s.installed).toBe(false);
    // The user's Service stays (delete skips the label-only binding: it is not anymesh's object).
    const cart = await kubeRequest(env.cluster.kubeConfig, 'GET', '/api/v1/namespaces/shop/services/cart');
    expect(cart.status).toBe(200);
  });
});
