/**
 * The fixture kit must compile as `anymesh compile` does, or unit tests prove things the CLI does
 * not do (they once skipped the overlap analysis, and passed on input the CLI refuses).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../src/adapters/index.js';
import { compileFiles } from '../../../src/core/pipeline.js';
import { ROOT } from '../../support/cases.js';
import { runCli } from '../../support/cli.js';
import { codes, compileFor, load, policy, traffic } from '../../support/kit.js';

const conflicting = [
  traffic('  service: cart\n  port: 8080\n  rules: [{timeout: 1s}]', 'a', 'shop'),
  traffic('  service: cart\n  port: 8080\n  rules: [{timeout: 2s}]', 'b', 'shop'),
].join('---\n');

describe('the fixture kit', () => {
  it('runs the overlap analysis, as the CLI does: conflicting policies are invalid test input', () => {
    expect(codes(load(conflicting).diagnostics)).toContain('AM3011');
    expect(() => compileFor('istio', conflicting)).toThrow(/AM3011/);
  });

  it('can leave the overlap analysis out, as `anymesh check` does', () => {
    expect(load(conflicting, { overlaps: false }).ok).toBe(true);
  });

  it('gives what compileFiles gives for the same file, on every mesh', () => {
    const file = join(ROOT, 'examples', 'bookinfo-canary.yaml');
    const docs = [{ name: file, text: readFileSync(file, 'utf8') }];
    const options = {
      allowDegraded: true,
      context: { options: { 'linkerd.serverPorts': '9080', 'appmesh.tls.certificate': 'sds' } },
    };
    for (const adapter of Object.values(ADAPTERS)) {
      expect(compileFor(adapter, docs, options), adapter.id).toEqual(compileFiles([file], adapter, options));
    }
  });

  it('merges adapter options into the context, as --option flags do', async () => {
    const text = policy('MTLSPolicy', '  mode: strict\n  scope: mesh', { name: 'm', namespace: 'x' });
    const r = compileFor('istio', text, { options: { 'istio.rootNamespace': 'mesh-root' } });
    expect(r.resources[0]!.metadata.namespace).toBe('mesh-root');
    const argv = [
      'compile',
      '-f',
      '-',
      '--mesh',
      'istio',
      '-o',
      'json',
      '--option',
      'istio.rootNamespace=mesh-root',
    ];
    const cli = await runCli(argv, { stdin: text });
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.out).items).toEqual(r.resources);
  });
});
