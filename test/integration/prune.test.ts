// --prune with the ApplySet convention (KEP-3659): the five-step sequence, and what prune must
// never touch (a foreign object with a copied part-of label, members of another set).
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type ApplyJson,
  client,
  cliJson,
  ensureNamespace,
  get,
  listIstio,
  type Meta,
  policyFile,
  sharedClusterNamespace,
  trafficPolicy,
  vsPath,
} from './apply-support.js';

const NS = 'am-prune';
const { cluster, base } = sharedClusterNamespace(NS);

const id = `applyset-${createHash('sha256').update(`applyset-anymesh-istio.${NS}.Secret.`).digest('base64url')}-v1`;
const set1 = policyFile('set1.yaml', trafficPolicy(NS, 'reviews') + trafficPolicy(NS, 'ratings'));
const set2 = policyFile('set2.yaml', trafficPolicy(NS, 'ratings') + trafficPolicy(NS, 'details'));
const names = async (plural: 'virtualservices' | 'destinationrules') =>
  [...(await listIstio(cluster.kubeConfig, plural, NS)).keys()].sort();
const versions = async () => {
  const all = [
    ...(await listIstio(cluster.kubeConfig, 'virtualservices', NS)).values(),
    ...(await listIstio(cluster.kubeConfig, 'destinationrules', NS)).values(),
  ];
  return all.map((m: Meta) => `${m.name}@${m.resourceVersion}`).sort();
};
const actions = (j: ApplyJson) => j.objects.map((o) => `${o.action} ${o.kind}/${o.name}`).sort();

describe('apply --prune (ApplySet)', () => {
  it('1. apply set 1', async () => {
    const { code, json } = await cliJson(['apply', '-f', set1, ...base]);
    expect(code).toBe(0);
    expect(json.summary.created).toBe(4);
    expect(await names('virtualservices')).toEqual(['ratings', 'reviews']);
  });

  it('a foreign object with a copied part-of label and a member of another set are in place', async () => {
    // Written by another field manager: carries our part-of label, but anymesh never applied it.
    await client(cluster.kubeConfig).request(
      'PATCH',
      `${vsPath(NS, 'foreign')}?fieldManager=someone-else`,
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'foreign', namespace: NS, labels: { 'applyset.kubernetes.io/part-of': id } },
        spec: { hosts: ['foreign'] },
      },
      'application/apply-patch+yaml',
    );
    const other = policyFile('other.yaml', trafficPolicy(NS, 'other-set'));
    const { code } = await cliJson(['apply', '-f', other, ...base, '--applyset', 'other']);
    expect(code).toBe(0);
  });

  it('2. dry-run prune with set 2 reports and changes nothing', async () => {
    const before = await versions();
    const { code, json } = await cliJson(['apply', '-f', set2, ...base, '--prune', '--dry-run=server']);
    expect(code).toBe(0);
    expect(actions(json)).toEqual([
      'created DestinationRule/details',
      'created VirtualService/details',
      'pruned DestinationRule/reviews',
      'pruned VirtualService/reviews',
      'unchanged DestinationRule/ratings',
      'unchanged VirtualService/ratings',
    ]);
    expect(json.requests.writes).toBe(0);
    expect(json.diagnostics.map((d) => d.code)).toEqual(['AM5012']); // the foreign object, left alone
    expect(await versions()).toEqual(before);
  });

  it('3. apply set 2 without prune adds', async () => {
    const { code, json } = await cliJson(['apply', '-f', set2, ...base]);
    expect(code).toBe(0);
    expect(json.summary).toMatchObject({ created: 2, unchanged: 2, pruned: 0 });
    expect(await names('virtualservices')).toEqual(['details', 'foreign', 'other-set', 'ratings', 'reviews']);
  });

  it('4. apply set 2 with prune removes what left, and nothing else', async () => {
    const { code, json } = await cliJson(['apply', '-f', set2, ...base, '--prune']);
    expect(code).toBe(0);
    expect(json.summary).toMatchObject({ created: 0, unchanged: 4, pruned: 2 });
    expect(json.requests.writes).toBe(2);
    expect(await names('virtualservices')).toEqual(['details', 'foreign', 'other-set', 'ratings']);
    expect(await names('destinationrules')).toEqual(['details', 'other-set', 'ratings']);
    const parent = await get(cluster.kubeConfig, `/api/v1/namespaces/${NS}/secrets/applyset-anymesh-istio`);
    expect(parent?.metadata.annotations?.['applyset.kubernetes.io/contains-group-kinds']).toBe(
      'DestinationRule.networking.istio.io,VirtualService.networking.istio.io',
    );
  });

  it('5. again changes nothing', async () => {
    const before = await versions();
    const { code, json } = await cliJson(['apply', '-f', set2, ...base, '--prune']);
    expect(code).toBe(0);
    expect(json.summary).toMatchObject({ created: 0, configured: 0, unchanged: 4, pruned: 0 });
    expect(json.requests.writes).toBe(0);
    expect(await versions()).toEqual(before);
  });

  it('prunes a whole group-kind the policies no longer produce (from the parent annotation)', async () => {
    // An MTLSPolicy adds a PeerAuthentication (security.istio.io) to the set; dropping it prunes it.
    const mtls = `apiVersion: anymesh.dev/v1alpha1
kind: MTLSPolicy
metadata: {name: strict, namespace: ${NS}}
spec: {mode: strict}
---
`;
    const withMtls = policyFile(
      'mtls.yaml',
      trafficPolicy(NS, 'ratings') + trafficPolicy(NS, 'details') + mtls,
    );
    expect(
      (await cliJson(['apply', '-f', withMtls, ...base, '--prune'])).json.summary.created,
    ).toBeGreaterThanOrEqual(1);
    const parent = await get(cluster.kubeConfig, `/api/v1/namespaces/${NS}/secrets/applyset-anymesh-istio`);
    expect(parent?.metadata.annotations?.['applyset.kubernetes.io/contains-group-kinds']).toContain(
      'PeerAuthentication.security.istio.io',
    );
    const { json } = await cliJson(['apply', '-f', set2, ...base, '--prune']);
    expect(json.objects.filter((o) => o.action === 'pruned').map((o) => o.kind)).toEqual([
      'PeerAuthentication',
    ]);
    const after = await get(cluster.kubeConfig, `/api/v1/namespaces/${NS}/secrets/applyset-anymesh-istio`);
    expect(after?.metadata.annotations?.['applyset.kubernetes.io/contains-group-kinds']).not.toContain(
      'PeerAuthentication',
    );
  });
});

describe("apply --prune of kinds outside their group's preferred version (Linkerd)", () => {
  // policy.linkerd.io prefers v1beta3 (Server, HTTPRoute); AuthorizationPolicy and
  // MeshTLSAuthentication are served only in v1alpha1. The set names them by group and kind alone.
  const LNS = 'am-prune-linkerd';
  const linkerd = ['--mesh', 'linkerd', '--kubeconfig', inject('kubeconfig'), '-n', LNS];
  const access = `apiVersion: anymesh.dev/v1alpha1
kind: AccessPolicy
metadata: {name: ratings-readers, namespace: ${LNS}}
spec:
  service: ratings
  action: allow
  from: [{namespace: ${LNS}, serviceAccount: reviews}]
  to: [{ports: [9080]}]
---
`;
  beforeAll(() => ensureNamespace(cluster.kubeConfig, LNS));

  it('prunes them when no policy produces them any more', async () => {
    const both = policyFile('both.yaml', trafficPolicy(LNS, 'ratings') + access);
    expect((await cliJson(['apply', '-f', both, ...linkerd, '--prune'])).code).toBe(0);
    const authz = `/apis/policy.linkerd.io/v1alpha1/namespaces/${LNS}/authorizationpolicies/ratings-readers-9080`;
    expect(await get(cluster.kubeConfig, authz)).toBeDefined();
    const { code, json } = await cliJson([
      'apply',
      '-f',
      policyFile('traffic.yaml', trafficPolicy(LNS, 'ratings')),
      ...linkerd,
      '--prune',
    ]);
    expect(code).toBe(0);
    expect(
      json.objects
        .filter((o) => o.action === 'pruned')
        .map((o) => o.kind)
        .sort(),
    ).toEqual(['AuthorizationPolicy', 'MeshTLSAuthentication', 'Server']);
    expect(await get(cluster.kubeConfig, authz)).toBeUndefined();
  });
});
