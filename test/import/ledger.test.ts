/**
 * The field ledger on its own: a field an importer forgets is still reported (AM1015), a report
 * wins over a take, --strict turns losses into errors, kinds not imported are listed; and an
 * object the input defines again later is listed, not imported (AM1017); objects read from a
 * cluster only for what others refer to are not listed when nothing is taken of them.
 */
import { describe, expect, it } from 'vitest';
import { importSourceFor } from '../../src/adapters/index.js';
import { diag } from '../../src/core/diagnostics.js';
import { clusterNativeObjects, FieldLedger, leaves, nativeObjects } from '../../src/core/import.js';
import { importNative } from '../../src/core/import-pipeline.js';
import { parseInputs } from '../../src/core/loader/loader.js';
import { importText } from './support.js';

const objects = (text: string) => nativeObjects(parseInputs([{ name: 'n.yaml', text }]).documents);
const TEXT = `apiVersion: example.io/v1
kind: Thing
metadata: {name: a, namespace: ns}
spec:
  kept: 1
  lost: {x: 1, y: [2, 3]}
  forgotten: true
---
apiVersion: v1
kind: ConfigMap
metadata: {name: other}
data: {k: v}
`;

describe('FieldLedger', () => {
  it('accounts for every leaf: taken, reported, or reported as forgotten', () => {
    const { objects: os } = objects(TEXT);
    const [thing, cm] = os as [never, never];
    const ledger = new FieldLedger();
    ledger.take(thing, ['metadata']);
    ledger.take(thing, ['spec', 'kept']);
    ledger.take(thing, ['spec', 'lost', 'x']);
    ledger.report(thing, ['spec', 'lost'], (at) =>
      diag('NativeKindSkipped', { ref: 'x', reason: 'test' }, at),
    );
    const r = ledger.finish(os, { policies: [] }, (o) => (o === cm ? 'not ours' : undefined));
    expect(r.fields).toEqual({ total: 7, imported: 3, reported: 3, unaccounted: 1 });
    const forgotten = r.diagnostics.find((d) => d.code === 'AM1015')!;
    expect(forgotten.path).toBe('spec.forgotten');
    expect(forgotten.location).toEqual({ file: 'n.yaml', line: 7, col: 14 });
    expect(r.skipped.map((s) => s.ref)).toEqual(['ConfigMap/default/other']);
  });

  it('--strict: warnings become errors', () => {
    const { objects: os } = objects(TEXT);
    const r = new FieldLedger(true).finish(os, { policies: [] }, () => undefined);
    expect(r.diagnostics.filter((d) => d.code === 'AM1015').every((d) => d.level === 'error')).toBe(true);
  });

  it('leaves counts empty maps and lists, not apiVersion and kind', () => {
    expect(leaves({ apiVersion: 'v', kind: 'K', a: {}, b: [], c: [{ d: 1 }] })).toEqual([
      ['a'],
      ['b'],
      ['c', 0, 'd'],
    ]);
  });

  it('a document that is not an object, and a List of objects', () => {
    const r = objects(
      'just: text\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: A, metadata: {name: x}}\n',
    );
    expect(r.diagnostics.map((d) => d.code)).toEqual(['AM1013']);
    expect(r.objects.map((o) => o.ref)).toEqual(['A/default/x']);
    expect(r.objects[0]!.locate(['metadata', 'name'])).toEqual({ file: 'n.yaml', line: 6, col: 46 });
  });
});

describe('an object defined twice in the input', () => {
  // The same VirtualService in two versions of its API (as two scenario files of one folder would
  // hold it): kubectl apply -f keeps the last, and so does the import.
  const text = `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: reviews, namespace: bookinfo}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews, subset: v1}}]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: bookinfo}
spec:
  hosts: [reviews]
  http: [{timeout: 3s, route: [{destination: {host: reviews}}]}]
`;
  const istio = importSourceFor('istio')!;
  it('imports the last definition, and lists the earlier one with where it is replaced (AM1017)', () => {
    const r = importText(text, istio, 'scenarios.yaml');
    expect(r.loaded.policies.map((p) => p.policy.spec)).toEqual([
      { service: 'reviews', rules: [{ timeout: '3s' }] },
    ]);
    const redefined = r.diagnostics.filter((d) => d.code === 'AM1017');
    expect(redefined.map((d) => [d.level, d.location?.line])).toEqual([['warning', 1]]);
    expect(redefined[0]!.message).toContain('scenarios.yaml:8');
    expect(r.skipped.map((s) => [s.ref, s.location.line])).toEqual([['VirtualService/bookinfo/reviews', 1]]);
    // Only the object the cluster keeps is counted: the replaced one is not configuration.
    expect(r.fields.total).toBe(importText(text.split('---\n')[1]!, istio).fields.total);
  });
  it('--strict makes it an error', () => {
    const r = importText(text, istio, 'scenarios.yaml', { strict: true });
    expect(r.diagnostics.find((d) => d.code === 'AM1017')?.level).toBe('error');
    expect(r.ok).toBe(false);
  });
  it('objects of the same name in other namespaces or of other kinds are different objects', () => {
    const other = text.replace(
      'name: reviews, namespace: bookinfo}\nspec:\n  hosts: [reviews]\n  http: [{timeout',
      'name: reviews, namespace: shop}\nspec:\n  hosts: [reviews]\n  http: [{timeout',
    );
    const r = importText(other, istio);
    expect(r.diagnostics.filter((d) => d.code === 'AM1017')).toEqual([]);
    expect(r.skipped).toEqual([]);
    expect(r.loaded.policies.map((p) => p.ref)).toContain('TrafficPolicy/shop/reviews');
  });
});

describe('objects read from a cluster for what others refer to (context kinds)', () => {
  const linkerd = importSourceFor('linkerd')!;
  /** Deployment web, its pod template annotated as given. */
  const deploymentWith = (annotations?: Record<string, string>) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      template: {
        metadata: { labels: { app: 'web' }, ...(annotations ? { annotations } : {}) },
        spec: { containers: [{ name: 'web' }] },
      },
    },
  });
  const server = {
    apiVersion: 'policy.linkerd.io/v1beta3',
    kind: 'Server',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { podSelector: { matchLabels: { app: 'web' } }, port: 8080 },
  };
  /** The Server and a Deployment read from a cluster, the Deployment as context or not. */
  const run = (context: boolean, deployment: object = deploymentWith()) =>
    importNative(
      clusterNativeObjects(
        [server, deployment] as never[],
        'shop',
        (o) => context && o.kind === 'Deployment',
      ),
      linkerd,
      { defaultNamespace: 'shop' },
    );
  it('a context object nothing is taken of is neither listed nor counted', () => {
    expect(run(false).skipped.map((s) => s.ref)).toEqual(['Deployment/shop/web']);
    const r = run(true);
    expect(r.skipped).toEqual([]);
    expect(r.diagnostics.filter((d) => d.code === 'AM1014')).toEqual([]);
    expect(r.fields).toEqual(run(false).fields);
  });
  it('a context workload that carries authorization configuration is listed all the same', () => {
    const skipped = (annotations: Record<string, string>) =>
      run(true, deploymentWith(annotations)).skipped.map((s) => s.ref);
    const annotated = { 'config.linkerd.io/default-inbound-policy': 'deny', 'linkerd.io/inject': 'enabled' };
    const injectedOnly = { 'linkerd.io/inject': 'enabled' };
    expect(skipped(annotated)).toEqual(['Deployment/shop/web']);
    // Injection is the cut-over's business (the plan's steps), not a policy that is lost.
    expect(skipped(injectedOnly)).toEqual([]);
  });
  it('the kinds --from-cluster reads say what they are read for', () => {
    const context = (linkerd.kinds ?? []).filter((k) => k.context).map((k) => `${k.group}/${k.kind}`);
    expect(context).toEqual([
      '/Service',
      '/Namespace',
      'apps/Deployment',
      'apps/StatefulSet',
      'apps/DaemonSet',
    ]);
    expect(
      importSourceFor('istio')!
        .kinds!.filter((k) => k.context)
        .map((k) => k.kind),
    ).toEqual(['Service', 'Namespace']);
  });
});
