// `anymesh import --from-cluster`: Istio and Linkerd objects written the way their docs write them
// (the hand-written fixtures, moved into namespaces of this test) are created on the real API server
// with the official CRDs, then imported from the cluster; the result must be what importing the same
// objects from a file gives: the same policies byte for byte, the same diagnostics (code, field
// path, message), each positioned as cluster:<kind>/<namespace>/<name>. What the objects refer to
// (Linkerd's Namespace annotation, the container port a Server names) is read from the cluster too.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1PolicyRule } from '@kubernetes/client-node';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { importSourceFor } from '../../src/adapters/index.js';
import { stripServerFields } from '../../src/cluster/native-read.js';
import { RestMapper, resourcePath } from '../../src/cluster/resources.js';
import { runCli } from '../support/cli.js';
import { client, ensureNamespace } from './apply-support.js';
import { attachCluster, type ClusterHandle } from './harness.js';

const SOURCE = importSourceFor('istio')!;
/** Linkerd's authorization fixture: a Namespace default, Servers, one naming a Deployment's port. */
const LINKERD_NS = 'import-cluster-linkerd';
const linkerdObjects = () =>
  parseAllDocuments(
    readFileSync('test/import/fixtures/linkerd/security.yaml', 'utf8').replaceAll('emojivoto', LINKERD_NS),
  ).map((d) => d.toJS() as Record<string, unknown>);
const isDeployment = (o: Record<string, unknown>) => o.kind === 'Deployment';
/** Istio objects of a namespace enrolled in ambient: its label makes ambient the source column. */
const AMBIENT_NS = 'import-cluster-ambient';
const NS = ['import-cluster-a', 'import-cluster-b'] as const;
/** A namespace of Gateway API routes (ambient's and an ingress Gateway's), as Istio reads them. */
const ROUTES_NS = 'import-cluster-routes';
const ROUTES = (ns: string) => `apiVersion: v1
kind: Service
metadata: {name: cart-v1, namespace: ${ns}}
spec: {selector: {app: cart, version: v1}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: cart-v2, namespace: ${ns}}
spec: {selector: {app: cart, version: v2}, ports: [{port: 8080}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: cart, namespace: ${ns}}
spec:
  parentRefs: [{group: "", kind: Service, name: cart, port: 8080}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /checkout}, headers: [{name: x-beta, value: "1"}]}]
    backendRefs: [{name: cart-v2, port: 8080}]
    timeouts: {request: 3s}
  - backendRefs: [{name: cart-v1, port: 8080, weight: 90}, {name: cart-v2, port: 8080, weight: 10}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: ${ns}}
spec:
  gatewayClassName: istio
  listeners: [{name: web, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: cart-ingress, namespace: ${ns}}
spec:
  parentRefs: [{name: edge, sectionName: web}]
  hostnames: [shop.example.com]
  rules:
  - matches: [{path: {type: Exact, value: /cart}}]
    backendRefs: [{name: cart, port: 8080}]
`;
const routeObjects = (ns: string) =>
  parseAllDocuments(ROUTES(ns)).map((d) => d.toJS() as Record<string, unknown>);
const tmp = mkdtempSync(join(tmpdir(), 'anymesh-import-cluster-'));

let cluster: ClusterHandle;
let kubeconfig: string;

/** The fixture's objects of the kinds the importer reads, in namespace `ns`. */
function objectsIn(ns: string): Record<string, unknown>[] {
  const text = readFileSync('test/fixtures/import/istio-bookinfo.yaml', 'utf8').replaceAll('bookinfo', ns);
  return parseAllDocuments(text)
    .map((d) => d.toJS() as { apiVersion: string; kind: string })
    .filter((o) => SOURCE.kinds!.some((k) => o.kind === k.kind && o.apiVersion.startsWith(`${k.group}/`)))
    .filter((o) => o.kind !== 'Namespace'); // the test's own
}

const fileOf = (name: string, objects: readonly unknown[]) => {
  const path = join(tmp, name);
  writeFileSync(path, objects.map((o) => `---\n${JSON.stringify(o)}\n`).join(''));
  return path;
};

/** `anymesh import --from-cluster --from istio` on this test's cluster, with more arguments. */
const importFromCluster = (...args: string[]) =>
  runCli(['import', '--from-cluster', '--from', 'istio', '--kubeconfig', kubeconfig, ...args]);

/** `anymesh import` of the objects from a file, and of namespace `ns` from the cluster. */
async function fromFileAndCluster(name: string, objects: readonly unknown[], ns: string) {
  const fromFile = await runCli(['import', '-f', fileOf(name, objects), '--from', 'istio']);
  return { fromFile, fromCluster: await importFromCluster('-n', ns) };
}

/** Diagnostic lines without their position: `level CODE: path: message`. */
const unpositioned = (stderr: string) =>
  stderr
    .split('\n')
    .map((l) => /(?:^|: )((?:error|warning|info) AM\d{4}: .*)$/.exec(l)?.[1])
    .filter((l): l is string => !!l)
    .sort();

beforeAll(async () => {
  kubeconfig = inject('kubeconfig');
  cluster = attachCluster(kubeconfig);
  const c = client(cluster.kubeConfig);
  const mapper = new RestMapper(c);
  const create = async (ns: string, objects: readonly Record<string, unknown>[]) => {
    // A Namespace of the objects is created as written (Linkerd's carries an annotation).
    if (!objects.some((o) => o.kind === 'Namespace')) await ensureNamespace(cluster.kubeConfig, ns);
    for (const o of objects) {
      const { apiVersion, kind } = o as { apiVersion: string; kind: string };
      const info = (await mapper.find(apiVersion, kind))!;
      await c.request('POST', resourcePath(info, ns), o);
    }
  };
  for (const ns of NS) await create(ns, objectsIn(ns));
  await create(ROUTES_NS, routeObjects(ROUTES_NS));
  await create(LINKERD_NS, linkerdObjects());
  await create(AMBIENT_NS, [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: AMBIENT_NS, labels: { 'istio.io/dataplane-mode': 'ambient' } },
    },
    ...objectsIn(AMBIENT_NS),
  ]);
});

describe('import --from-cluster --from istio', () => {
  it('imports what the file import of the same objects imports, positioned in the cluster', async () => {
    const ns = NS[0];
    const { fromFile, fromCluster } = await fromFileAndCluster('a.yaml', objectsIn(ns), ns);
    expect(fromFile.code, fromFile.err).toBe(0);
    expect(fromCluster.code, fromCluster.err).toBe(0);
    expect(fromCluster.out).not.toBe('');
    expect(fromCluster.out).toBe(fromFile.out);
    // The same losses, each at the object in the cluster with its field path.
    expect(unpositioned(fromCluster.err)).toEqual(unpositioned(fromFile.err));
    expect(fromCluster.err).toMatch(
      new RegExp(`^cluster:VirtualService/${ns}/[a-z-]+: warning AM\\d{4}: spec\\.`, 'm'),
    );
    expect(fromCluster.err).toContain(`read ${objectsIn(ns).length} objects from `);
    // The same field count: the server's own fields (uid, managedFields, ...) were not read.
    const summary = (s: string) => /imported \d+ of \d+ native fields[^\n]*/.exec(s)?.[0];
    expect(summary(fromCluster.err)).toBe(summary(fromFile.err));
  });

  it("imports Gateway API routes as the file import does, with the API server's defaults in them", async () => {
    const { fromFile, fromCluster } = await fromFileAndCluster(
      'routes.yaml',
      routeObjects(ROUTES_NS),
      ROUTES_NS,
    );
    expect(fromFile.code, fromFile.err).toBe(0);
    expect(fromCluster.code, fromCluster.err).toBe(0);
    expect(fromCluster.out).toContain('kind: TrafficPolicy');
    expect(fromCluster.out).toBe(fromFile.out);
    expect(unpositioned(fromCluster.err)).toEqual(unpositioned(fromFile.err));
    // Both losslessly, though the server wrote its defaults into the routes (parentRef group and
    // kind, backendRef weights and kinds).
    expect(fromCluster.err).toMatch(/imported (\d+) of \1 native fields losslessly/);
  });

  it('-A reads every namespace; -n only its own', async () => {
    const all = await importFromCluster('-A', '-o', 'json');
    expect(all.code, all.err).toBe(0);
    const names = (out: string) =>
      (JSON.parse(out) as { items: { metadata: { name: string; namespace: string } }[] }).items.map(
        (p) => `${p.metadata.namespace}/${p.metadata.name}`,
      );
    const both = names(all.out);
    for (const ns of NS)
      expect(
        both.some((n) => n.startsWith(`${ns}/`)),
        ns,
      ).toBe(true);
    const one = await importFromCluster('-n', NS[1], '-o', 'json');
    expect(new Set(names(one.out).map((n) => n.split('/')[0]))).toEqual(new Set([NS[1]]));
  });

  it('a kind the cluster does not serve is named, not an error (SMI CRDs are not installed)', async () => {
    const r = await runCli([
      'import',
      '--from-cluster',
      '--from',
      'smi',
      '--kubeconfig',
      kubeconfig,
      '-n',
      NS[0],
    ]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/note: the cluster serves no .*TrafficSplit\.split\.smi-spec\.io/);
    expect(r.err).toContain('read 0 objects from ');
  });
});

describe('import --from-cluster --from linkerd', () => {
  const fromFile = (objects: readonly unknown[]) =>
    runCli(['import', '-f', fileOf('linkerd.yaml', objects), '--from', 'linkerd']);
  const fromCluster = () =>
    runCli(['import', '--from-cluster', '--from', 'linkerd', '--kubeconfig', kubeconfig, '-n', LINKERD_NS]);

  it('reads the Namespace and the workloads the objects refer to, as the file import finds them', async () => {
    const [file, cluster] = [await fromFile(linkerdObjects()), await fromCluster()];
    expect(file.code, file.err).toBe(0);
    expect(cluster.code, cluster.err).toBe(0);
    expect(cluster.out).toBe(file.out);
    // The Namespace's default inbound policy, and the Server that names the Deployment's port.
    expect(cluster.out).toContain(`name: ${LINKERD_NS}-default-inbound`);
    expect(cluster.out).toMatch(/ports:\n\s+- 9990/);
    // The same diagnostics, but the Deployment: the file import lists it (the user gave it), the
    // cluster import only read it for its port names.
    const deployment = (l: string) => !l.includes('AM1014') || !l.includes('Deployment/');
    expect(unpositioned(cluster.err)).toEqual(unpositioned(file.err).filter(deployment));
    expect(unpositioned(file.err).some((l) => !deployment(l))).toBe(true);
    expect(cluster.err).toMatch(/read \d+ objects from .*, and 1 Namespace, 1 Deployment they may refer to/);
    // Nothing listed as not imported; the field counts are not compared: the API server writes
    // its defaults into the objects (a route's parentRef group and kind), fields of its copy only.
    expect(cluster.err).toMatch(/; 0 objects not imported/);
    expect(file.err).toMatch(/; 1 object not imported/);
  });

  /** A user who may read the Linkerd kinds, Services and workloads, and `namespaces` as given. */
  const limitedImport = async (user: string, namespaces: V1PolicyRule[]) => {
    const read = ['get', 'list'];
    const kubeconfig = await cluster.createUser(user, {
      rules: [
        {
          apiGroups: ['policy.linkerd.io', 'linkerd.io', 'gateway.networking.k8s.io'],
          resources: ['*'],
          verbs: read,
        },
        { apiGroups: [''], resources: ['services'], verbs: read },
        { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs: read },
        ...namespaces,
      ],
    });
    return runCli([
      'import',
      '--from-cluster',
      '--from',
      'linkerd',
      '--kubeconfig',
      kubeconfig,
      '-n',
      LINKERD_NS,
    ]);
  };

  it('a user who may not read Namespaces gets a note, and the rest imported', async () => {
    const r = await limitedImport('import-no-namespaces', []);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(
      "note: the cluster refused to show Namespace objects (Forbidden): the namespaces' default inbound policies (config.linkerd.io/default-inbound-policy) are not known to the import",
    );
    expect(r.out).toMatch(/ports:\n\s+- 9990/);
    expect(r.out).not.toContain('default-inbound');
  });

  it('-n reads its Namespace with a GET, which a user who may not list Namespaces may make', async () => {
    const r = await limitedImport('import-get-namespace', [
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
    ]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).not.toContain('refused');
    expect(r.out).toContain(`name: ${LINKERD_NS}-default-inbound`);
  });

  it('without the workload, the named port has no number (what the cluster read supplies)', async () => {
    const file = await fromFile(linkerdObjects().filter((o) => !isDeployment(o)));
    expect(file.err).toMatch(/named container port metrics/);
    expect((await fromCluster()).err).not.toMatch(/named container port/);
  });
});

describe('migrate plan --from-cluster', () => {
  const plan = async (...args: string[]) => {
    const r = await runCli(['migrate', 'plan', '-o', 'json', ...args]);
    expect(r.err).not.toMatch(/^error/m);
    return JSON.parse(r.out) as {
      source: { column?: string };
      policies: { policy: string; status: string }[];
      objects: unknown[];
      neutralYaml: string;
    };
  };
  const cluster = ['--from-cluster', '--kubeconfig'];

  it('plans what the file plan of the same objects plans', async () => {
    // -n for both: the namespace a cluster-scoped object (the Namespace) is named in.
    const file = await plan(
      '-f',
      fileOf('plan.yaml', linkerdObjects()),
      '-n',
      LINKERD_NS,
      '--from',
      'linkerd',
      '--to',
      'istio',
    );
    const live = await plan(...cluster, kubeconfig, '-n', LINKERD_NS, '--from', 'linkerd', '--to', 'istio');
    expect(live.policies.length).toBeGreaterThan(0);
    expect(live.policies).toEqual(file.policies.map((p) => ({ ...p, importLosses: expect.anything() })));
    expect(live.objects).toEqual(file.objects);
    expect(live.neutralYaml).toBe(file.neutralYaml);
  });

  it("takes the source column from the namespace's labels on the cluster (ambient)", async () => {
    const ambient = await plan(...cluster, kubeconfig, '-n', AMBIENT_NS, '--from', 'istio', '--to', 'istio');
    const sidecar = await plan(...cluster, kubeconfig, '-n', NS[0], '--from', 'istio', '--to', 'istio');
    expect(ambient.source.column).toMatch(/ambient/i);
    expect(sidecar.source.column).not.toMatch(/ambient/i);
  });
});

describe('stripServerFields', () => {
  it('drops what the API server writes, keeps what the author wrote', () => {
    const o = stripServerFields(
      {
        metadata: {
          name: 'x',
          namespace: 'n',
          uid: 'u',
          resourceVersion: '1',
          generation: 2,
          creationTimestamp: 't',
          managedFields: [{}],
          labels: { a: 'b' },
          annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
        },
        spec: { hosts: ['h'] },
        status: { observedGeneration: 2 },
      },
      'networking.istio.io/v1',
      'VirtualService',
    );
    expect(o).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'x', namespace: 'n', labels: { a: 'b' } },
      spec: { hosts: ['h'] },
    });
  });

  it("drops the name label and the kubernetes finalizer the API server gives every Namespace, keeps the author's", () => {
    const ns = (labels: Record<string, string>, finalizers: string[]) =>
      stripServerFields(
        { metadata: { name: 'shop', labels }, spec: { finalizers }, status: { phase: 'Active' } },
        'v1',
        'Namespace',
      );
    expect(ns({ 'kubernetes.io/metadata.name': 'shop' }, ['kubernetes'])).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop' },
    });
    expect(
      ns({ 'kubernetes.io/metadata.name': 'shop', 'istio.io/dataplane-mode': 'ambient' }, [
        'kubernetes',
        'example.com/keep',
      ]),
    ).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop', labels: { 'istio.io/dataplane-mode': 'ambient' } },
      spec: { finalizers: ['example.com/keep'] },
    });
  });
});
