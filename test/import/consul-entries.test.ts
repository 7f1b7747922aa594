/**
 * The Consul importer on `consul config write` entries (HCL and JSON, PascalCase or snake_case,
 * and an agent configuration's config_entries.bootstrap): hand-written fixtures in the style of
 * Consul's config-entry reference (test/import/fixtures/consul/entries/), every loss at its line
 * and column with the field named as the file writes it; the CRD form each entry is read as passes
 * the official consul-k8s CRDs; and every golden case the Consul compile writes as config entries
 * (`--consul-format config-entry`, JSON and HCL) imports back and compiles to the same text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertEntry } from '../../src/adapters/consul/import-config-entry.js';
import { parseHcl } from '../../src/adapters/consul/import-hcl.js';
import { adapterFor, importSourceFor } from '../../src/adapters/index.js';
import { DEFAULT_CONTEXT } from '../../src/core/adapter.js';
import { importFiles } from '../../src/core/import-pipeline.js';
import { compileFiles, compileLoaded } from '../../src/core/pipeline.js';
import { goldenCases, ROOT } from '../support/cases.js';
import { runCli } from '../support/cli.js';
import { CrdCatalog } from '../support/crd-schema.js';
import { importText } from './support.js';

const consul = importSourceFor('consul')!;
const mesh = adapterFor('consul')!;
const dir = 'test/import/fixtures/consul/entries';
const at = (d: { location?: { file: string; line: number; col: number }; code: string; path?: string }) =>
  `${d.location?.file.split('/').pop()}:${d.location?.line}:${d.location?.col} ${d.code} ${d.path ?? ''}`;

describe('Consul config entries (consul config write): hand-written fixtures', () => {
  const run = importFiles([join(ROOT, dir)], consul);
  const spec = (ref: string) => run.loaded.policies.find((p) => p.ref === ref)?.policy.spec;

  it('reads every .hcl and .json file of a directory, each loss at its line and column in the file’s words', () => {
    expect(run.ok).toBe(true);
    expect(run.diagnostics.filter((d) => d.level !== 'info').map(at)).toEqual([
      'api-intentions.hcl:6:5 AM4361 ',
      'inventory-router.hcl:13:3 AM4360 Routes[2]',
      'inventory-router.hcl:14:20 AM4360 Routes[2].Match.HTTP.PathPrefix',
      'inventory-router.hcl:17:3 AM4360 Routes[3]',
      'inventory-router.hcl:21:9 AM4360 Routes[3].Match.HTTP.Methods',
      'web-defaults.hcl:4:1 AM4360 MeshGateway',
      'web-resolver.json:11:22 AM4360 Subsets.v2.OnlyPassing',
      'web-router.hcl:42:3 AM4360 Routes[2]',
      'web-router.hcl:46:11 AM4360 Routes[2].Match.HTTP.Header[0]',
    ]);
    expect(run.fields).toEqual({ total: 53, imported: 42, reported: 11, unaccounted: 0 });
    expect(run.skipped.map((s) => `${s.ref} ${s.location.line}:${s.location.col}`)).toEqual([
      'AgentConfiguration/-/agent 2:1',
    ]);
  });

  it('joins router, resolver and defaults as the CRD form does', () => {
    expect(spec('TrafficPolicy/default/web')).toEqual({
      service: 'web',
      versions: { v1: { version: 'v1' }, v2: { version: 'v2' } },
      rules: [
        {
          matches: [{ path: { prefix: '/admin/' } }],
          backends: [{ service: 'admin' }],
          timeout: '10s',
          rewrite: { path: { replacePrefixMatch: '/' } },
        },
        {
          matches: [{ headers: [{ name: 'x-tester', exact: 'true' }] }],
          backends: [{ version: 'v2' }],
          retries: { attempts: 3, retryOn: ['503'] },
          requestHeaders: { set: { 'x-route': 'tester' } },
        },
      ],
    });
    expect(spec('BackendPolicy/default/web')).toEqual({
      service: 'web',
      connectionLimits: { connectTimeout: '5s' },
    });
    expect(spec('AccessPolicy/default/api')).toMatchObject({ from: [{ serviceAccount: 'web' }] });
  });

  it('reads snake_case agent bootstrap entries, and a protocol with no L7 policy as a protocol-only policy', () => {
    expect(spec('TrafficPolicy/default/checkout')).toMatchObject({
      rules: [
        {
          backends: [
            { version: 'stable', weight: 80 },
            { version: 'canary', weight: 20 },
          ],
        },
      ],
    });
    expect(spec('TrafficPolicy/default/cart')).toEqual({ service: 'cart', protocol: 'grpc', rules: [{}] });
    // The protocol-only policy compiles back to the ServiceDefaults alone (no router).
    const cart = run.loaded.policies.filter((p) => p.ref === 'TrafficPolicy/default/cart');
    const again = compileLoaded({ ...run.loaded, policies: cart }, mesh);
    expect(again.resources.map((o) => `${o.kind}/${o.metadata.name} ${JSON.stringify(o.spec)}`)).toEqual([
      'ServiceDefaults/cart {"protocol":"grpc"}',
    ]);
  });

  it('reads a grpc service’s /<service>/<method> paths as gRPC matches; other paths and methods are reported', () => {
    expect(spec('TrafficPolicy/default/inventory')).toEqual({
      service: 'inventory',
      protocol: 'grpc',
      rules: [
        { matches: [{ grpc: { service: 'shop.Inventory', method: 'Reserve' } }], timeout: '2s' },
        { matches: [{ grpc: { service: 'shop.Inventory' } }], timeout: '5s' },
      ],
    });
  });

  it('reads each entry as an object the official consul-k8s CRDs accept', () => {
    const crds = new CrdCatalog();
    for (const f of readdirSync(join(ROOT, dir)).filter((x) => x.endsWith('.json') || x.endsWith('.hcl'))) {
      const text = readFileSync(join(ROOT, dir, f), 'utf8');
      const parsed = f.endsWith('.json') ? JSON.parse(text) : parseHcl(text);
      const value = 'ok' in parsed ? (parsed.ok ? parsed.value : undefined) : parsed;
      const entries = value.config_entries ? value.config_entries.bootstrap : [value];
      for (const e of entries) {
        const c = convertEntry(e, 'default');
        expect(c, f).toBeDefined();
        expect(crds.validate(c!.object as never), `${f}: ${JSON.stringify(c!.object)}`).toEqual([]);
      }
    }
  });

  it('an HCL syntax error is one positioned error, and nothing of the file is imported', () => {
    const r = importText('Kind = "service-router"\nName = "web\nRoutes = []\n', consul, 'broken.hcl');
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => `${at(d)} ${d.message}`)).toEqual([
      'broken.hcl:2:8 AM4363  HCL syntax error: a string that is never closed (a " before the line ends)',
    ]);
    expect(r.loaded.policies).toEqual([]);
  });

  it('knows HCL by its content when the name does not say (stdin, other extensions)', () => {
    const r = importText('Kind = "service-defaults"\nName = "web"\nProtocol = "http"\n', consul, '<stdin>');
    expect(r.diagnostics.filter((d) => d.level !== 'info')).toEqual([]);
    expect(r.loaded.policies.map((p) => p.ref)).toEqual(['TrafficPolicy/default/web']);
  });

  it('anymesh import -f DIR --from consul reads the HCL and JSON files', async () => {
    const out = await runCli(['import', '-f', dir, '--from', 'consul']);
    expect(out.code).toBe(0);
    expect(out.err).toMatch(/web-router\.hcl:46:11: warning AM4360: Routes\[2\]\.Match\.HTTP\.Header\[0\]: /);
    expect(out.out).toMatch(/name: checkout/);
  });
});

describe('Consul config entries written by anymesh import back', () => {
  // Enterprise, so each entry names its namespace and the policies come back where they were.
  const options = { 'consul.enterprise': 'true', 'consul.format': 'config-entry' };
  const context = { ...DEFAULT_CONTEXT, options };
  const all = goldenCases().flatMap((c) => {
    const r = compileFiles([c.file], mesh, { context });
    return r.ok && r.resources.length ? [{ ...c, result: r }] : [];
  });
  it('has cases', () => expect(all.length).toBeGreaterThan(8));
  for (const format of ['json', 'yaml'] as const)
    it.each(all)(
      `$name: ${format === 'json' ? 'JSON' : 'HCL'} entries import and compile to the same text`,
      ({ result }) => {
        const text = mesh.render!(result.resources, context, format)!;
        const back = importText(text, consul, format === 'json' ? 'entries.json' : 'entries.hcl', {
          options,
        });
        expect(back.diagnostics.filter((d) => d.level !== 'info').map((d) => d.message)).toEqual([]);
        expect(back.fields.imported).toBe(back.fields.total);
        const again = compileLoaded(back.loaded, mesh, { context });
        expect(mesh.render!(again.resources, context, format)).toBe(text);
      },
    );
});
