// An ApplySet parent that belongs to another tool (KEP-3659: its applyset.kubernetes.io/tooling
// annotation names someone else, or nothing): apply and prune must refuse with AM5009 before any
// write, since pruning "its" set would delete another tool's objects. Asserted on a real API
// server: zero writes counted by the CLI, no object created, the parent Secret untouched.
import { describe, expect, it } from 'vitest';
import {
  type ApplyJson,
  client,
  cliJson,
  listIstio,
  policyFile,
  sharedClusterNamespace,
  trafficPolicy,
} from './apply-support.js';

const NS = 'am-applyset-foreign';
const { cluster, base } = sharedClusterNamespace(NS);

const secrets = `/api/v1/namespaces/${NS}/secrets`;
const input = policyFile('set.yaml', trafficPolicy(NS, 'reviews'));

/** A parent Secret as another tool leaves it: the ApplySet id label, its own tooling annotation. */
async function foreignParent(set: string, tooling: string | undefined): Promise<string> {
  const name = `applyset-${set}`;
  const r = await client(cluster.kubeConfig).request<{ metadata: { resourceVersion: string } }>(
    'POST',
    secrets,
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name,
        namespace: NS,
        labels: { 'applyset.kubernetes.io/id': `applyset-foreign-${set}-v1` },
        annotations: {
          ...(tooling ? { 'applyset.kubernetes.io/tooling': tooling } : {}),
          'applyset.kubernetes.io/contains-group-kinds': 'ConfigMap',
        },
      },
      type: 'Opaque',
    },
  );
  return r.body.metadata.resourceVersion;
}

const parentVersion = async (set: string) =>
  (
    await client(cluster.kubeConfig).request<{ metadata: { resourceVersion: string } }>(
      'GET',
      `${secrets}/applyset-${set}`,
    )
  ).body.metadata.resourceVersion;

function refused(json: ApplyJson): void {
  expect(json.diagnostics.map((d) => d.code)).toContain('AM5009');
  expect(json.requests.writes).toBe(0);
}

describe('a foreign ApplySet parent', () => {
  it.each([
    ['kubectl (tooling kubectl/v1.34.0)', 'kubectl', 'kubectl/v1.34.0'],
    ['a tool that sets no tooling annotation', 'untagged', undefined],
  ])(
    'parent made by %s: apply with and without --prune is refused with AM5009 and writes nothing',
    async (_who, set, tooling) => {
      const before = await foreignParent(set, tooling);
      for (const extra of [['--prune'], []]) {
        const { code, json } = await cliJson(['apply', '-f', input, ...base, '--applyset', set, ...extra]);
        expect(code, `apply ${extra.join(' ')}`).toBe(1);
        refused(json);
      }
      expect([...(await listIstio(cluster.kubeConfig, 'virtualservices', NS)).keys()]).toEqual([]);
      expect(await parentVersion(set)).toBe(before);
    },
  );

  it('the same input applies under a set anymesh owns (the refusal is about the parent only)', async () => {
    const { code, json } = await cliJson(['apply', '-f', input, ...base, '--applyset', 'mine', '--prune']);
    expect(code).toBe(0);
    expect(json.requests.writes).toBeGreaterThan(0);
    expect([...(await listIstio(cluster.kubeConfig, 'virtualservices', NS)).keys()]).toEqual(['reviews']);
  });
});
