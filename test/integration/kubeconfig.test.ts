// Kubeconfig handling as kubectl: KUBECONFIG with several files (merged; the first file's
// current-context wins), --kubeconfig over KUBECONFIG, --context, -n over the context's namespace.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ApplyJson, cli, cliJson, ensureNamespace, get, vsPath } from './apply-support.js';
import { attachCluster, type ClusterHandle } from './harness.js';

const kc = inject('kubeconfig');
let cluster: ClusterHandle;
const dir = mkdtempSync(join(tmpdir(), 'anymesh-kc-'));
const saved = process.env.KUBECONFIG;
beforeAll(async () => {
  cluster = attachCluster(kc);
  for (const ns of ['am-kc-flag', 'am-kc-ctx']) await ensureNamespace(cluster.kubeConfig, ns);
});
afterEach(() => {
  if (saved === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = saved;
});

type Config = {
  clusters: { name: string; cluster: Record<string, unknown> }[];
  users: { name: string; user: Record<string, unknown> }[];
  contexts: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
  'current-context': string;
};
const admin = () => JSON.parse(readFileSync(kc, 'utf8')) as Config;

/** A file with only a broken context (current), and one with the real cluster under another name. */
function files() {
  const a = admin();
  const broken: Config = {
    clusters: [
      { name: 'nowhere', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } },
    ],
    users: [{ name: 'nobody', user: { token: 'x' } }],
    contexts: [{ name: 'broken', context: { cluster: 'nowhere', user: 'nobody' } }],
    'current-context': 'broken',
  };
  const real: Config = {
    ...a,
    contexts: [{ name: 'real', context: { ...a.contexts[0]!.context, namespace: 'am-kc-ctx' } }],
    'current-context': 'real',
  };
  const first = join(dir, 'broken.yaml');
  const second = join(dir, 'real.yaml');
  writeFileSync(first, JSON.stringify(broken));
  writeFileSync(second, JSON.stringify(real));
  return { first, second };
}

/** A policy without a namespace: it goes to -n, else the context's namespace. */
const policy = (name: string) => {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: ${name}}
spec:
  service: ${name}
  rules: [{name: all, timeout: 2s}]
`,
  );
  return file;
};

describe('kubeconfig as kubectl', () => {
  it('KUBECONFIG with several files: merged, --context picks the real one, its namespace is the default', async () => {
    const { first, second } = files();
    process.env.KUBECONFIG = `${first}:${second}`;
    const { code, json } = await cliJson<ApplyJson>([
      'apply',
      '-f',
      policy('ctx-ns'),
      '--mesh',
      'istio',
      '--context',
      'real',
    ]);
    expect(code, JSON.stringify(json.diagnostics)).toBe(0);
    expect(json.objects.map((o) => `${o.kind} ${o.namespace}/${o.name}`)).toEqual([
      'VirtualService am-kc-ctx/ctx-ns',
    ]);
    expect(await get(cluster.kubeConfig, vsPath('am-kc-ctx', 'ctx-ns'))).toBeDefined();
    expect(json.applySet.namespace).toBe('am-kc-ctx');
  });

  it('-n overrides the context namespace', async () => {
    const { first, second } = files();
    process.env.KUBECONFIG = `${first}:${second}`;
    const { code } = await cliJson([
      'apply',
      '-f',
      policy('flag-ns'),
      '--mesh',
      'istio',
      '--context',
      'real',
      '-n',
      'am-kc-flag',
    ]);
    expect(code).toBe(0);
    expect(await get(cluster.kubeConfig, vsPath('am-kc-flag', 'flag-ns'))).toBeDefined();
    expect(await get(cluster.kubeConfig, vsPath('am-kc-ctx', 'flag-ns'))).toBeUndefined();
  });

  it("without --context the first file's current context is used (here: unreachable, said clearly)", async () => {
    const { first, second } = files();
    process.env.KUBECONFIG = `${first}:${second}`;
    const r = await cli(['apply', '-f', policy('nowhere'), '--mesh', 'istio', '--retries', '0']);
    expect(r.code).toBe(3); // EXIT.unreachable: the same on every cluster command
    expect(r.err).toContain('AM5002');
    expect(r.err).toContain('cannot reach the API server at https://127.0.0.1:1');
  });

  it('--kubeconfig wins over KUBECONFIG; an unknown --context is a usage error', async () => {
    process.env.KUBECONFIG = files().first;
    const ok = await cliJson([
      'diff',
      '-f',
      policy('ctx-ns'),
      '--mesh',
      'istio',
      '--kubeconfig',
      kc,
      '-n',
      'am-kc-ctx',
    ]);
    expect(ok.code).toBe(0);
    const bad = await cli([
      'apply',
      '-f',
      policy('x'),
      '--mesh',
      'istio',
      '--kubeconfig',
      kc,
      '--context',
      'nope',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--context nope: no such context; the kubeconfig has anymesh-test');
    const missing = await cli([
      'apply',
      '-f',
      policy('x'),
      '--mesh',
      'istio',
      '--kubeconfig',
      join(dir, 'absent'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no such file');
  });
});
