// A user whose RBAC forbids a write gets an error naming the resource and the verb, found by the
// server-side dry-run (which runs authorization) before anything is written: nothing half-applied.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ApplyJson,
  cliJson,
  drPath,
  get,
  policyFile,
  sharedClusterNamespace,
  trafficPolicy,
  vsPath,
} from './apply-support.js';

const NS = 'am-rbac';
const { kc, cluster } = sharedClusterNamespace(NS);
let limited: string;
beforeAll(async () => {
  const all = ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'];
  limited = await cluster.createUser('am-limited', {
    rules: [
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['secrets'], verbs: all },
      { apiGroups: ['networking.istio.io'], resources: ['destinationrules'], verbs: all },
      // May read VirtualServices, not write them.
      { apiGroups: ['networking.istio.io'], resources: ['virtualservices'], verbs: ['get', 'list'] },
    ],
  });
});

describe('RBAC', () => {
  it('names the resource and verb, and writes nothing at all', async () => {
    const file = policyFile('a.yaml', trafficPolicy(NS, 'reviews'));
    const { code, json } = await cliJson<ApplyJson>([
      'apply',
      '-f',
      file,
      '--mesh',
      'istio',
      '--kubeconfig',
      limited,
      '-n',
      NS,
    ]);
    expect(code).toBe(1);
    expect(json.diagnostics.map((d) => d.code)).toEqual(['AM5006', 'AM5010']);
    expect(json.diagnostics[0]!.message).toContain(
      'VirtualService am-rbac/reviews: forbidden: you may not patch virtualservices.networking.istio.io in namespace am-rbac',
    );
    expect(json.diagnostics[0]!.message).toContain(
      'User "am-limited" cannot patch resource "virtualservices"',
    );
    expect(json.requests.writes).toBe(0);
    // The DestinationRule it could have written, and the ApplySet parent, are not there either.
    expect(await get(cluster.kubeConfig, drPath(NS, 'reviews'))).toBeUndefined();
    expect(await get(cluster.kubeConfig, vsPath(NS, 'reviews'))).toBeUndefined();
    expect(
      await get(cluster.kubeConfig, `/api/v1/namespaces/${NS}/secrets/applyset-anymesh-istio`),
    ).toBeUndefined();
  });

  it('a delete the user may not make is refused before any delete', async () => {
    const file = policyFile('a.yaml', trafficPolicy(NS, 'reviews'));
    expect((await cliJson(['apply', '-f', file, '--mesh', 'istio', '--kubeconfig', kc, '-n', NS])).code).toBe(
      0,
    );
    const { code, json } = await cliJson<ApplyJson>([
      'delete',
      '-f',
      file,
      '--mesh',
      'istio',
      '--kubeconfig',
      limited,
      '-n',
      NS,
    ]);
    expect(code).toBe(1);
    expect(json.diagnostics.map((d) => d.code)).toEqual(['AM5006', 'AM5010']);
    expect(json.diagnostics[0]!.message).toContain('you may not delete virtualservices.networking.istio.io');
    expect(await get(cluster.kubeConfig, drPath(NS, 'reviews'))).toBeDefined();
  });
});
