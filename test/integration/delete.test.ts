// `anymesh delete`: removes exactly what the policies produced, only if anymesh made it.
import { describe, expect, it } from 'vitest';
import {
  type ApplyJson,
  client,
  cliJson,
  drPath,
  get,
  policyFile,
  sharedClusterNamespace,
  trafficPolicy,
  vsPath,
} from './apply-support.js';

const NS = 'am-delete';
const { cluster, base } = sharedClusterNamespace(NS);

describe('anymesh delete', () => {
  it('deletes what the policies produced, skips what it did not make, reports what is not there', async () => {
    const all = policyFile('all.yaml', trafficPolicy(NS, 'reviews') + trafficPolicy(NS, 'ratings'));
    expect((await cliJson(['apply', '-f', all, ...base])).code).toBe(0);
    // A DestinationRule "details" someone else made: delete -f details.yaml must leave it.
    await client(cluster.kubeConfig).request(
      'POST',
      `/apis/networking.istio.io/v1/namespaces/${NS}/destinationrules`,
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: 'details', namespace: NS },
        spec: { host: 'details' },
      },
    );
    const some = policyFile('some.yaml', trafficPolicy(NS, 'reviews') + trafficPolicy(NS, 'details'));

    const dry = await cliJson<ApplyJson>(['delete', '-f', some, ...base, '--dry-run=server']);
    expect(dry.code).toBe(0);
    expect(await get(cluster.kubeConfig, vsPath(NS, 'reviews'))).toBeDefined();

    const { code, json } = await cliJson<ApplyJson>(['delete', '-f', some, ...base]);
    expect(code).toBe(0);
    expect(json.objects.map((o) => `${o.action} ${o.kind}/${o.name}`).sort()).toEqual([
      'deleted DestinationRule/reviews',
      'deleted VirtualService/reviews',
      'not-found VirtualService/details',
      'skipped DestinationRule/details',
    ]);
    expect(json.diagnostics.map((d) => d.code)).toEqual(['AM5013']);
    expect(await get(cluster.kubeConfig, vsPath(NS, 'reviews'))).toBeUndefined(); // waited: gone
    expect(await get(cluster.kubeConfig, drPath(NS, 'reviews'))).toBeUndefined();
    expect(await get(cluster.kubeConfig, drPath(NS, 'details'))).toBeDefined();
    expect(await get(cluster.kubeConfig, vsPath(NS, 'ratings'))).toBeDefined();

    const again = await cliJson<ApplyJson>(['delete', '-f', some, ...base, '--wait=false']);
    expect(again.code).toBe(0);
    expect(again.json.objects.filter((o) => o.action === 'deleted')).toEqual([]);
  });
});
