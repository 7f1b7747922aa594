// `anymesh crds` on a real kube-apiserver: the CRDs install and become Established, and the CRD
// schemas (with their CEL rules) and the model accept and refuse the same documents. Each document
// is created with dryRun=All and fieldValidation=Strict (kubectl's default: unknown fields refused)
// and validated with the model's validateDocuments; where they cannot agree (crds.ts
// CRD_MODEL_DIFFERENCES) the row says so and both answers are still asserted.
import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { KubeApiError } from '../../src/cluster/client.js';
import { pluralOf, policyCrds } from '../../src/controller/crds.js';
import { loadInputs } from '../../src/core/pipeline.js';
import { client, sharedClusterNamespace } from './apply-support.js';
import { installCrds } from './harness.js';

const NS = 'crds-it';
const { cluster } = sharedClusterNamespace(NS);

type Doc = { kind: string; spec: Record<string, unknown> };

const tp = (spec: Record<string, unknown>): Doc => ({ kind: 'TrafficPolicy', spec });
const rule = (r: Record<string, unknown>) =>
  tp({ service: 'reviews', versions: { v1: { version: 'v1' }, v2: { version: 'v2' } }, rules: [r] });
const split = (a: number, b: number) =>
  rule({
    backends: [
      { version: 'v1', weight: a },
      { version: 'v2', weight: b },
    ],
  });

/** [name, document, model accepts, API server accepts (when different: why)] */
const TABLE: [string, Doc, boolean, boolean?, string?][] = [
  ['a 90/10 split', split(90, 10), true],
  ['weights summing to 110 (CEL sum)', split(90, 20), false],
  ['weights summing to 90', split(80, 10), false],
  ['one backend without weight', rule({ backends: [{ version: 'v1' }] }), true],
  ['one backend with weight 50', rule({ backends: [{ version: 'v1', weight: 50 }] }), false],
  [
    'several backends, one weight missing',
    rule({ backends: [{ version: 'v1', weight: 100 }, { version: 'v2' }] }),
    false,
  ],
  ['an undefined version', rule({ backends: [{ version: 'v9' }] }), false],
  ['a backend with version and service', rule({ backends: [{ version: 'v1', service: 'x' }] }), false],
  ['a backend with neither', rule({ backends: [{ port: 80 }] }), false],
  ['a weight over 100', rule({ backends: [{ version: 'v1', weight: 101 }] }), false],
  ['an unknown spec field', tp({ service: 'r', rules: [{}], colour: 'red' }), false],
  ['an unknown rule field', rule({ timeoutt: '3s' }), false],
  ['no rules', tp({ service: 'r' }), false],
  ['empty rules', tp({ service: 'r', rules: [] }), false],
  ['a bad duration', rule({ timeout: '3 seconds' }), false],
  ['a good duration', rule({ timeout: '1m30s' }), true],
  ['a header match with exact', rule({ matches: [{ headers: [{ name: 'x', exact: 'y' }] }] }), true],
  [
    'a header match with two kinds',
    rule({ matches: [{ headers: [{ name: 'x', exact: 'y', prefix: 'z' }] }] }),
    false,
  ],
  ['a header match with no kind', rule({ matches: [{ headers: [{ name: 'x' }] }] }), false],
  ['present: false', rule({ matches: [{ headers: [{ name: 'x', present: false }] }] }), false],
  [
    'a path with two kinds (maxProperties)',
    rule({ matches: [{ path: { exact: '/a', prefix: '/b' } }] }),
    false,
  ],
  ['an unknown method', rule({ matches: [{ method: 'FETCH' }] }), false],
  [
    'an abort with status and grpcStatus',
    rule({ fault: { abort: { status: 503, grpcStatus: 'UNAVAILABLE', percentage: 5 } } }),
    false,
  ],
  ['an abort with status', rule({ fault: { abort: { status: 503, percentage: 5 } } }), true],
  ['an empty fault (minProperties)', rule({ fault: {} }), false],
  ['a percentage of 100.5', rule({ fault: { delay: { duration: '1s', percentage: 100.5 } } }), false],
  ['a mirror', rule({ mirror: { backend: { version: 'v2' }, percentage: 10 } }), true],
  ['headers set as a map', rule({ requestHeaders: { set: { 'x-a': 'b' } } }), true],
  ['an invalid RE2 regex', rule({ matches: [{ path: { regex: '(' } }] }), false, true, 'regex (RE2) syntax'],
  [
    'a bad header name',
    rule({ requestHeaders: { set: { 'bad header': 'b' } } }),
    false,
    true,
    'header / DNS names',
  ],
  [
    'two rules of one name',
    tp({ service: 'r', rules: [{ name: 'a' }, { name: 'a' }] }),
    false,
    true,
    'duplicates within a policy',
  ],
  [
    '65 rules (over the CRD bound)',
    tp({ service: 'r', rules: Array.from({ length: 65 }, (_, i) => ({ name: `r${i}` })) }),
    true,
    false,
    'list and map sizes',
  ],
  [
    'an AccessPolicy',
    { kind: 'AccessPolicy', spec: { service: 'r', action: 'allow', from: [{ namespace: 'a' }] } },
    true,
  ],
  [
    'an AccessPolicy with an unknown action',
    { kind: 'AccessPolicy', spec: { service: 'r', action: 'maybe', from: [{ namespace: 'a' }] } },
    false,
  ],
  [
    'an AccessPolicy with an empty caller',
    { kind: 'AccessPolicy', spec: { service: 'r', action: 'allow', from: [{}] } },
    false,
  ],
  [
    'an AccessPolicy with a bad path',
    {
      kind: 'AccessPolicy',
      spec: { service: 'r', action: 'allow', from: [{ namespace: 'a' }], to: [{ paths: ['a*b'] }] },
    },
    false,
    true,
    'access path syntax',
  ],
  ['an MTLSPolicy', { kind: 'MTLSPolicy', spec: { mode: 'strict' } }, true],
  [
    'an MTLSPolicy scope service without service',
    { kind: 'MTLSPolicy', spec: { mode: 'strict', scope: 'service' } },
    false,
  ],
  [
    'an MTLSPolicy scope namespace with a service',
    { kind: 'MTLSPolicy', spec: { mode: 'strict', scope: 'namespace', service: 'r' } },
    false,
  ],
  [
    'an MTLSPolicy selector without service',
    { kind: 'MTLSPolicy', spec: { mode: 'strict', selector: { app: 'r' } } },
    false,
  ],
];

function modelAccepts(name: string, d: Doc): { ok: boolean; codes: string[] } {
  const doc = {
    apiVersion: 'anymesh.dev/v1alpha1',
    kind: d.kind,
    metadata: { name, namespace: NS },
    spec: d.spec,
  };
  const r = loadInputs([{ name: `${name}.yaml`, text: dump(doc) }], { overlaps: false });
  return { ok: r.ok, codes: r.diagnostics.filter((x) => x.level === 'error').map((x) => x.code) };
}

async function serverAccepts(name: string, d: Doc): Promise<{ ok: boolean; why: string }> {
  const doc = {
    apiVersion: 'anymesh.dev/v1alpha1',
    kind: d.kind,
    metadata: { name, namespace: NS },
    spec: d.spec,
  };
  try {
    await client(cluster.kubeConfig).request(
      'POST',
      `/apis/anymesh.dev/v1alpha1/namespaces/${NS}/${pluralOf(d.kind)}?dryRun=All&fieldValidation=Strict`,
      doc,
    );
    return { ok: true, why: '' };
  } catch (err) {
    if (err instanceof KubeApiError && (err.code === 422 || err.code === 400))
      return { ok: false, why: err.message };
    throw err;
  }
}

describe('anymesh crds on a real API server', () => {
  beforeAll(async () => {
    await installCrds(cluster.kubeConfig, policyCrds() as unknown as V1CustomResourceDefinition[]);
  });

  it('the CRDs install and are Established (installCrds waits for it)', async () => {
    for (const crd of policyCrds()) {
      const name = (crd.metadata as { name: string }).name;
      const live = await client(cluster.kubeConfig).request<{
        status: { conditions: { type: string; status: string }[] };
      }>('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
      expect(live.body.status.conditions.find((c) => c.type === 'Established')?.status).toBe('True');
      expect(live.body.status.conditions.find((c) => c.type === 'NonStructuralSchema')).toBeUndefined();
    }
  });

  it.each(TABLE.map((row, i) => [i, ...row] as const))(
    '%i %s: model and API server agree',
    async (i, _name, doc, model, server, difference) => {
      const objName = `doc-${i}`;
      const m = modelAccepts(objName, doc);
      const s = await serverAccepts(objName, doc);
      expect(m.ok, `model: ${m.codes.join(', ')}`).toBe(model);
      // Known differences (CRD_MODEL_DIFFERENCES) say so in the table: the API server's answer is asserted too.
      expect(s.ok, `API server: ${s.why}${difference ? ` (known difference: ${difference})` : ''}`).toBe(
        server ?? model,
      );
    },
  );
});
