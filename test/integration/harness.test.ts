// Checks the harness itself against the real cluster started by global-setup.ts: the version, the CRDs,
// that the API server's own validation (OpenAPI schema, CEL) runs on server-side dry-run apply, that
// extra users get RBAC, and that the API server can be restarted on the same storage.
import { existsSync } from 'node:fs';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  VersionApi,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  attachCluster,
  type Cluster,
  type ClusterHandle,
  crdRoot,
  describeError,
  loadKubeConfig,
  readCrdFile,
  selectCrdFiles,
  startCluster,
} from './harness.js';

const NS = 'default';
let cluster: ClusterHandle;
beforeAll(() => {
  cluster = attachCluster(inject('kubeconfig'));
});

/** Server-side apply with dryRun=All: full validation and admission, nothing persisted. */
function dryRunApply(kc: KubeConfig, obj: KubernetesObject) {
  return KubernetesObjectApi.makeApiClient(kc).patch(
    obj,
    undefined,
    'All',
    'anymesh',
    true,
    PatchStrategy.ServerSideApply,
  );
}

/** The rejection of a request that must fail, as status code + the server's message. */
async function rejection(request: Promise<unknown>): Promise<{ code: number | undefined; message: string }> {
  try {
    await request;
  } catch (err) {
    return { code: (err as { code?: unknown }).code as number | undefined, message: describeError(err) };
  }
  throw new Error('the request was accepted, but it should have been rejected');
}

const virtualService = (timeout: string) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: NS },
  spec: {
    hosts: ['reviews'],
    http: [
      {
        match: [{ uri: { prefix: '/api' } }],
        route: [
          { destination: { host: 'reviews', subset: 'v1' }, weight: 90 },
          { destination: { host: 'reviews', subset: 'v2' }, weight: 10 },
        ],
        timeout,
        retries: { attempts: 3, perTryTimeout: '1s', retryOn: '5xx,connect-failure' },
      },
    ],
  },
});

const httpRoute = (port: number | undefined) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'reviews', namespace: NS },
  spec: {
    // GAMMA: the parent is the Service itself (how Linkerd attaches routes to mesh traffic).
    parentRefs: [{ group: '', kind: 'Service', name: 'reviews', port: 9080 }],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
        backendRefs: [{ name: 'reviews-v2', ...(port === undefined ? {} : { port }), weight: 10 }],
        timeouts: { request: '3s' },
      },
    ],
  },
});

const serviceRouter = (numRetries: unknown) => ({
  apiVersion: 'consul.hashicorp.com/v1alpha1',
  kind: 'ServiceRouter',
  metadata: { name: 'reviews', namespace: NS },
  spec: {
    routes: [
      {
        match: { http: { pathPrefix: '/api', methods: ['GET'] } },
        destination: { service: 'reviews', serviceSubset: 'v2', requestTimeout: '3s', numRetries },
      },
    ],
  },
});

describe('the test cluster', () => {
  it('reports the version of the kube-apiserver binary at /version', async () => {
    const info = await cluster.kubeConfig.makeApiClient(VersionApi).getCode();
    // The binary's own --version, so the ldflags of scripts/test-assets.sh took effect (not v0.0.0).
    expect(info.gitVersion).toBe(cluster.version);
    const m = /^v1\.(\d+)\.\d+/.exec(info.gitVersion);
    expect(m, `unexpected gitVersion ${info.gitVersion}`).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(34);
    expect(`${info.major}.${info.minor}`).toBe(`1.${m![1]}`);
  });

  it('has every CRD of the shared directory Established', async () => {
    const wanted = (await selectCrdFiles()).flatMap((f) => f.crds.map((c) => c.metadata!.name!));
    // istio 15 + gateway-api/standard 10 + linkerd 10 + consul 26 + appmesh 7, at the time of writing.
    expect(wanted.length).toBeGreaterThanOrEqual(60);
    expect(wanted).toEqual(
      expect.arrayContaining([
        'virtualservices.networking.istio.io',
        'httproutes.gateway.networking.k8s.io',
        'httproutes.policy.linkerd.io',
        'servicerouters.consul.hashicorp.com',
        'virtualrouters.appmesh.k8s.aws',
      ]),
    );
    const live = await cluster.kubeConfig.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
    const established = new Set(
      live.items
        .filter((c) => c.status?.conditions?.some((s) => s.type === 'Established' && s.status === 'True'))
        .map((c) => c.metadata!.name!),
    );
    expect(wanted.filter((name) => !established.has(name))).toEqual([]);
  });

  it('leaves out only CRD directories that would collide with the installed ones', async () => {
    const installed = new Set((await selectCrdFiles()).flatMap((f) => f.crds.map((c) => c.metadata!.name!)));
    const root = crdRoot();
    for (const file of [
      'linkerd/gateway-api/gateway.networking.k8s.io_httproutes.yaml',
      'gateway-api/experimental/gateway.networking.k8s.io_httproutes.yaml',
    ]) {
      const { crds } = await readCrdFile(root, file);
      for (const crd of crds)
        expect(installed.has(crd.metadata!.name!), `${file}: ${crd.metadata!.name}`).toBe(true);
    }
    const smi = await Promise.all(
      ['smi/smi-sdk-go/split.yaml', 'smi/linkerd-smi/trafficsplit-crd.yaml'].map((f) => readCrdFile(root, f)),
    );
    expect(smi[0]!.crds[0]!.metadata!.name).toBe(smi[1]!.crds[0]!.metadata!.name);
  });
});

describe('server-side dry-run apply', () => {
  it('accepts a hand-written Istio VirtualService, Gateway API HTTPRoute and Consul ServiceRouter', async () => {
    for (const obj of [virtualService('3s'), httpRoute(9080), serviceRouter(3)]) {
      const applied = await dryRunApply(cluster.kubeConfig, obj);
      expect(applied.metadata?.uid, obj.kind).toBeTruthy(); // the server filled it in ...
      const read = rejection(KubernetesObjectApi.makeApiClient(cluster.kubeConfig).read(obj));
      expect((await read).code, `${obj.kind} must not be persisted by a dry run`).toBe(404); // ... and kept nothing
    }
  });

  it('rejects a ServiceRouter with a wrong field type, with the field path in the message', async () => {
    // Server-side apply finds type errors while converting the patch to a typed object and answers
    // HTTP 500 (not 422) with the field path. It is not transient: the apply code must not retry it.
    const applied = await rejection(dryRunApply(cluster.kubeConfig, serviceRouter('three')));
    expect(applied.code).toBe(500);
    expect(applied.message).toContain('failed to create typed patch object');
    expect(applied.message).toContain(
      '.spec.routes[0].destination.numRetries: expected numeric (int or float), got string',
    );
    // A plain create (dry run) reports the same mistake as a 422 from the OpenAPI schema validation.
    const created = await rejection(
      KubernetesObjectApi.makeApiClient(cluster.kubeConfig).create(
        serviceRouter('three'),
        undefined,
        'All',
        'anymesh',
      ),
    );
    expect(created.code).toBe(422);
    expect(created.message).toContain(
      'spec.routes[0].destination.numRetries in body must be of type integer',
    );
  });

  it('rejects a VirtualService breaking a CEL rule of the Istio CRD, with the rule message', async () => {
    // x-kubernetes-validations on spec.http[].timeout: duration(self) >= duration('1ms').
    const { code, message } = await rejection(dryRunApply(cluster.kubeConfig, virtualService('500us')));
    expect(code).toBe(422);
    expect(message).toContain('spec.http[0].timeout');
    expect(message).toContain('must be a valid duration greater than 1ms');
  });

  it('rejects an HTTPRoute breaking a CEL rule of the Gateway API CRD', async () => {
    // x-kubernetes-validations on backendRefs[]: a Service reference needs a port.
    const { code, message } = await rejection(dryRunApply(cluster.kubeConfig, httpRoute(undefined)));
    expect(code).toBe(422);
    expect(message).toContain('Must have port for Service reference');
  });
});

describe('createUser', () => {
  it('gives a read-only user a kubeconfig that can read but is forbidden to write', async () => {
    const path = await cluster.createUser('harness-viewer', {
      groups: ['anymesh-test-viewers'],
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] }],
    });
    const viewer = loadKubeConfig(path);
    expect(viewer.getCurrentContext()).toBe('anymesh-test');
    const list = await viewer.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: NS });
    expect(Array.isArray(list.items)).toBe(true);
    const { code, message } = await rejection(dryRunApply(viewer, virtualService('3s')));
    expect(code).toBe(403);
    expect(message).toContain('User "harness-viewer" cannot patch resource "virtualservices"');
  });
});

// Its own cluster (no CRDs, so ~10 s): restarting the shared API server would disturb other files.
describe('a cluster of its own', () => {
  let own: Cluster;
  beforeAll(async () => {
    own = await startCluster({ crds: false });
  });
  afterAll(async () => {
    await own?.stop();
  });

  it('restarts the API server on the same port, keeping what etcd stored', async () => {
    const core = own.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace: NS,
      body: { metadata: { name: 'survives-restart' }, data: { a: '1' } },
    });
    const firstPid = own.pids().kubeApiserver;
    await own.stopApiServer();
    expect(own.pids().kubeApiserver).toBeUndefined();
    await expect(core.readNamespacedConfigMap({ namespace: NS, name: 'survives-restart' })).rejects.toThrow();
    await own.startApiServer();
    expect(own.pids().kubeApiserver).not.toBe(firstPid);
    const cm = await core.readNamespacedConfigMap({ namespace: NS, name: 'survives-restart' });
    expect(cm.data).toEqual({ a: '1' });
  });

  it('kills both processes and removes its directory on stop', async () => {
    const pids = Object.values(own.pids());
    expect(pids).toHaveLength(2);
    const stats = await own.stop();
    expect(stats.peakRssKiB.kubeApiserver).toBeGreaterThan(0);
    expect(stats.peakRssKiB.etcd).toBeGreaterThan(0);
    for (const pid of pids) expect(() => process.kill(pid!, 0), `pid ${pid} still alive`).toThrow();
    expect(existsSync(own.dir)).toBe(false);
    expect(own.pids()).toEqual({ kubeApiserver: undefined, etcd: undefined });
  });
});
