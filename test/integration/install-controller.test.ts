// `anymesh install anymesh` on a real cluster: kube-apiserver + etcd, kube-controller-manager +
// kube-scheduler and kwok (pods of the Deployment become Ready on a simulated node), the real helm
// CLI, and the controller's own chart from deploy/chart/anymesh (the folder the npm package ships;
// no chart repository). Through the mesh install machinery: preflight (the mesh value, the mesh's
// CRDs, permissions), readiness, rollback; then status and uninstall. Its own cluster: it installs
// CRDs and cluster roles cluster-wide.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterFor } from '../../src/adapters/index.js';
import { controllerRules } from '../../src/controller/rbac.js';
import { crdRoot, installCrds, kubeRequest, selectCrdFiles } from './harness.js';
import { cli, type InstallEnv, startInstallEnv } from './install-support.js';

let env: InstallEnv;
const kc = () => env.kc();
const NS = 'anymesh-system';
const MESH = 'istio';

async function get<T>(path: string): Promise<T | undefined> {
  try {
    return (await kubeRequest(env.cluster.kubeConfig, 'GET', path)).body as T;
  } catch {
    return undefined;
  }
}

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

interface Deployment {
  metadata: { generation: number };
  spec: { replicas: number; template: { spec: { containers: { args: string[] }[] } } };
  status?: { readyReplicas?: number };
}

const helmReleases = async () =>
  (
    (await get<{ items: { metadata: { labels: Record<string, string> } }[] }>(
      `/api/v1/namespaces/${NS}/secrets?labelSelector=${encodeURIComponent('owner=helm,name=anymesh')}`,
    )) ?? { items: [] }
  ).items.map((s) => s.metadata.labels);

beforeAll(async () => {
  env = await startInstallEnv('install-controller', []);
}, 300_000);

afterAll(async () => {
  await env?.stop();
});

describe('anymesh install anymesh (the controller chart, real helm, kwok)', () => {
  it('preflight: the mesh value is required and must name a mesh; nothing is installed (real charts: deploy/chart/anymesh)', async () => {
    const none = await cli('install', 'anymesh', ...kc(), '--timeout', '20s');
    expect(none.code).toBe(1);
    expect(none.err).toMatch(
      /FAIL values: missing values: mesh \(anymesh\): the mesh the controller compiles for/,
    );
    expect(none.err).toMatch(/error AM5050: anymesh controller 0\.1\.0: preflight values failed/);
    const wrong = await cli('install', 'anymesh', ...kc(), '--set', 'mesh=nosuch', '--timeout', '20s');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('FAIL values: mesh="nosuch" is not a mesh anymesh compiles for');
    const usage = await cli('install', 'anymesh', ...kc(), '--mesh', 'nosuch');
    expect(usage.code).toBe(2);
    expect(await helmReleases()).toEqual([]);
  });

  it("preflight: the mesh's CRDs must be served (the controller applies its kinds) (real charts: deploy/chart/anymesh)", async () => {
    const r = await cli('install', 'anymesh', '--mesh', MESH, ...kc(), '--timeout', '20s');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /FAIL crd-prerequisites: missing CRDs: virtualservices\.networking\.istio\.io: install Istio first \(anymesh install istio\)/,
    );
    // A component conflicts with no mesh: the conflicts check does not look for meshes.
    expect(r.err).toContain('ok   conflicts: not installed yet');
    expect(await helmReleases()).toEqual([]);
  });

  it('installs the chart for one mesh: CRDs, least-privilege RBAC of that mesh, a Deployment that becomes Available (real charts: deploy/chart/anymesh)', async () => {
    for (const f of await selectCrdFiles(join(crdRoot(), MESH)))
      await installCrds(env.cluster.kubeConfig, f.crds);
    const r = await cli('install', 'anymesh', '--mesh', MESH, ...kc(), '--timeout', '2m', '-o', 'json');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('ok   crd-prerequisites: virtualservices.networking.istio.io');
    expect(r.err).toContain('[1/1] anymesh (anymesh 0.1.0): helm upgrade --install');
    expect(r.err).toContain('anymesh 0.1.0 is installed and ready in anymesh-system');
    const result = JSON.parse(r.out);
    expect(result.charts).toEqual([expect.objectContaining({ release: 'anymesh', action: 'installed' })]);
    expect(result.readiness.map((x: { kind: string; name: string }) => `${x.kind} ${x.name}`).sort()).toEqual(
      [
        'CustomResourceDefinition accesspolicies.anymesh.dev',
        'CustomResourceDefinition backendpolicies.anymesh.dev',
        'CustomResourceDefinition mtlspolicies.anymesh.dev',
        'CustomResourceDefinition trafficpolicies.anymesh.dev',
        'Deployment anymesh-controller',
      ],
    );
    expect(result.readiness.every((x: { ready: boolean }) => x.ready)).toBe(true);
    // The release is anymesh's (labelled as the meshes' are), from the chart folder.
    expect((await helmReleases()).map((l) => [l.status, l['anymesh.dev/installed-by']])).toEqual([
      ['deployed', 'anymesh'],
    ]);
    const d = await get<Deployment>(`/apis/apps/v1/namespaces/${NS}/deployments/anymesh-controller`);
    expect(d?.status?.readyReplicas).toBe(2);
    expect(d?.spec.template.spec.containers[0]?.args).toContain(`--mesh=${MESH}`);
    // Least privilege: exactly the rules derived from that mesh's output, nothing of the others.
    const role = await get<{ rules: Rule[] }>(
      '/apis/rbac.authorization.k8s.io/v1/clusterroles/anymesh-controller',
    );
    expect(role?.rules).toEqual(controllerRules(adapterFor(MESH)!));
  });

  it('status lists the controller beside the meshes: installed by anymesh, its version, healthy (real charts: deploy/chart/anymesh)', async () => {
    const json = await cli('status', ...kc(), '-o', 'json');
    expect(json.code, json.err).toBe(0);
    const body = JSON.parse(json.out);
    expect(body.meshes.map((m: { mesh: string }) => m.mesh)).not.toContain('anymesh');
    expect(body.components).toEqual([
      expect.objectContaining({
        mesh: 'anymesh',
        displayName: 'anymesh controller',
        installed: true,
        installedBy: 'anymesh',
        namespace: NS,
        version: '0.1.0',
        healthy: true,
        namespaces: [],
      }),
    ]);
    const table = await cli('status', ...kc());
    expect(table.out).toMatch(/^anymesh\s+yes\s+anymesh\s+anymesh-system\s+0\.1\.0\s+yes\s+-\s+0$/m);
  });

  it('an upgrade that does not become ready is rolled back to the revision before (real charts: deploy/chart/anymesh)', async () => {
    const r = await cli(
      'install',
      'anymesh',
      '--mesh',
      MESH,
      ...kc(),
      '--timeout',
      '15s',
      '--set',
      'resources.requests.cpu=64',
      '-o',
      'json',
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /NOT READY: Deployment anymesh-system\/anymesh-controller: .*(unschedulable|Insufficient cpu)/,
    );
    expect(r.err).toContain('rolling anymesh back to revision 1');
    expect(r.err).toContain('warning AM5056: anymesh: rolled back to revision 1');
    expect(JSON.parse(r.out).charts.at(-1)).toMatchObject({ release: 'anymesh', action: 'rolled-back' });
    const labels = await helmReleases();
    expect(labels.find((l) => l.status === 'deployed')?.version).toBe('3'); // the rollback is revision 3
    const status = JSON.parse((await cli('status', ...kc(), '-o', 'json')).out).components[0];
    // Readiness after the rollback: the old ReplicaSet's pods are still Ready.
    expect(status.installed).toBe(true);
  });

  it('uninstall anymesh removes the release; the policy CRDs stay (helm keeps a chart crds/) (real charts: deploy/chart/anymesh)', async () => {
    const r = await cli('uninstall', 'anymesh', ...kc());
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`helm uninstall anymesh --namespace ${NS}`);
    expect(await helmReleases()).toEqual([]);
    expect(await get(`/apis/apps/v1/namespaces/${NS}/deployments/anymesh-controller`)).toBeUndefined();
    expect(await get('/apis/rbac.authorization.k8s.io/v1/clusterroles/anymesh-controller')).toBeUndefined();
    expect(
      await get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/trafficpolicies.anymesh.dev'),
    ).toBeDefined();
    const status = JSON.parse((await cli('status', ...kc(), '-o', 'json')).out).components[0];
    expect(status).toMatchObject({ mesh: 'anymesh', installed: false, installedBy: 'none' });
  });
});
