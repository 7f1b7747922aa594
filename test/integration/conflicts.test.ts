// A field owned by another field manager is a reported conflict (the server's 409 on server-side
// apply), found by the dry-run before anything is written; --force-conflicts takes it over.
import { describe, expect, it } from 'vitest';
import {
  type ApplyJson,
  cli,
  client,
  cliJson,
  get,
  policyFile,
  sharedClusterNamespace,
  trafficPolicy,
  vsPath,
} from './apply-support.js';

const NS = 'am-conflicts';
const { cluster, base } = sharedClusterNamespace(NS);
type Vs = {
  metadata: { resourceVersion: string; managedFields: { manager: string }[] };
  spec: { http: { timeout: string }[] };
};

describe('field conflicts', () => {
  const file = policyFile('a.yaml', trafficPolicy(NS, 'reviews'));

  it('reports a field another manager took over, writes nothing, and forces only with --force-conflicts', async () => {
    expect((await cliJson(['apply', '-f', file, ...base])).code).toBe(0);
    // Someone else (say, an operator with kubectl) takes over the routes: spec.http is an atomic list.
    const live = (await get<Vs>(cluster.kubeConfig, vsPath(NS, 'reviews')))!;
    await client(cluster.kubeConfig).request(
      'PATCH',
      `${vsPath(NS, 'reviews')}?fieldManager=kubectl-edit&force=true`,
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'reviews', namespace: NS },
        spec: { http: [{ ...live.spec.http[0], timeout: '10s' }] },
      },
      'application/apply-patch+yaml',
    );
    const taken = (await get<Vs>(cluster.kubeConfig, vsPath(NS, 'reviews')))!;

    const refused = await cliJson<ApplyJson>(['apply', '-f', file, ...base]);
    expect(refused.code).toBe(1);
    expect(refused.json.diagnostics.map((d) => d.code)).toEqual(['AM5007', 'AM5010']);
    expect(refused.json.diagnostics[0]!.message).toMatch(
      /VirtualService am-conflicts\/reviews: fields owned by another field manager: .*conflict with "kubectl-edit".*--force-conflicts/s,
    );
    expect(refused.json.requests.writes).toBe(0);
    expect((await get<Vs>(cluster.kubeConfig, vsPath(NS, 'reviews')))!.metadata.resourceVersion).toBe(
      taken.metadata.resourceVersion,
    );

    // diff runs the same dry-run: the conflict is an error there too (exit 2).
    const d = await cli(['diff', '-f', file, ...base]);
    expect(d.code).toBe(2);
    expect(d.err).toContain('AM5007');

    const forced = await cliJson<ApplyJson>(['apply', '-f', file, ...base, '--force-conflicts']);
    expect(forced.code).toBe(0);
    expect(forced.json.objects.find((o) => o.kind === 'VirtualService')?.action).toBe('configured');
    const after = (await get<Vs>(cluster.kubeConfig, vsPath(NS, 'reviews')))!;
    expect(after.spec.http[0]!.timeout).toBe('3s');
    expect(after.metadata.managedFields.map((f) => f.manager)).not.toContain('kubectl-edit');
  });
});
