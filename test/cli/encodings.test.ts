/**
 * Inputs as editors and kubectl users write them: UTF-16 (with or without a byte-order mark, both
 * byte orders) is decoded; YAML merge keys are expanded as kubectl expands them; a problem inside
 * a merged mapping, a tagged or an anchored value is placed at the alias, tag or anchor.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLE = readFileSync(join(ROOT, 'examples', 'bookinfo-canary.yaml'), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'anymesh-enc-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function utf16(text: string, order: 'le' | 'be', bom: boolean): Buffer {
  const le = Buffer.from(text, 'utf16le');
  const bytes = order === 'le' ? le : Buffer.from(le).swap16();
  const mark = order === 'le' ? [0xff, 0xfe] : [0xfe, 0xff];
  return bom ? Buffer.concat([Buffer.from(mark), bytes]) : bytes;
}

const file = (name: string, content: string | Buffer) => {
  const f = join(tmp, name);
  writeFileSync(f, content);
  return f;
};

describe('UTF-16 input', () => {
  const utf8 = async () =>
    (await runCli(['compile', '-f', file('utf8.yaml', EXAMPLE), '--mesh', 'istio'])).out;

  for (const order of ['le', 'be'] as const)
    for (const bom of [true, false])
      it(`UTF-16${order.toUpperCase()} ${bom ? 'with' : 'without'} a byte-order mark compiles as the UTF-8 file does`, async () => {
        const f = file(`u16${order}${bom}.yaml`, utf16(EXAMPLE, order, bom));
        const r = await runCli(['compile', '-f', f, '--mesh', 'istio']);
        expect(r.code, r.err).toBe(0);
        expect(r.out).toBe(await utf8());
      });

  it('a UTF-8 byte-order mark is dropped; real binary is still refused as binary', async () => {
    expect((await runCli(['validate', '-f', file('bom8.yaml', `\ufeff${EXAMPLE}`)])).code).toBe(0);
    const bin = await runCli([
      'validate',
      '-f',
      file('bin.yaml', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13])),
    ]);
    expect(bin.code).toBe(1);
    expect(bin.err).toContain('AM1003');
  });

  it('UTF-16 with an error: the position is in characters of the decoded text', async () => {
    const f = file('u16bad.yaml', utf16(EXAMPLE.replace('timeout: 3s', 'timeout: 3x'), 'le', true));
    const r = await runCli(['validate', '-f', f]);
    expect(r.code).toBe(1);
    const line = EXAMPLE.split('\n').findIndex((l) => l.includes('timeout: 3s')) + 1;
    expect(r.err).toMatch(
      new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:\\d+: error AM2013`, 'm'),
    );
  });
});

const MERGE = `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: merged, namespace: shop}
spec:
  service: reviews
  port: 9080
  versions:
    v1: &labels {version: v1}
    v2: {<<: *labels, version: v2}
  rules:
    - name: testers
      matches: [{headers: [{name: end-user, exact: jason}]}]
      backends: [{version: v2}]
      timeout: &t 3s
    - name: everyone
      <<: {timeout: *t}
      backends:
        - {version: v1, weight: 90}
        - {version: v2, weight: 10}
`;

describe('YAML merge keys (<<)', () => {
  it('are expanded as kubectl does: merged keys arrive, the mapping’s own keys win', async () => {
    const f = file('merge.yaml', MERGE);
    const r = await runCli(['compile', '-f', f, '--mesh', 'istio', '-o', 'json']);
    expect(r.code, r.err).toBe(0);
    const list = JSON.parse(r.out);
    const dr = list.items.find((i: { kind: string }) => i.kind === 'DestinationRule');
    expect(dr.spec.subsets).toEqual([
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2' } },
    ]);
    const vs = list.items.find((i: { kind: string }) => i.kind === 'VirtualService');
    expect(vs.spec.http.map((h: { timeout?: string }) => h.timeout)).toEqual(['3s', '3s']);
  });

  it('a problem in a merged field is placed at the alias that brought it', async () => {
    const f = file('merge-bad.yaml', MERGE.replace('{version: v1}', '{version: v1, extra: 1}'));
    const r = await runCli(['validate', '-f', f]);
    expect(r.code).toBe(1);
    // line 9 is `    v2: {<<: *labels, version: v2}`; the alias `*labels` is at column 14.
    expect(r.err).toContain(`${f}:9:14: error AM2003: spec.versions.v2.extra:`);
    expect(r.err).toContain(`${f}:8:38: error AM2003: spec.versions.v1.extra:`);
  });
});

describe('positions at tags and anchors', () => {
  it('a bad tagged or anchored value is placed at its tag or anchor', async () => {
    const text = EXAMPLE.replace('timeout: 3s', 'timeout: !!str 3x');
    const f = file('tag.yaml', text);
    const r = await runCli(['validate', '-f', f]);
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('!!str 3x'));
    const col = lines[line]!.indexOf('!!str') + 1;
    expect(r.err).toContain(`${f}:${line + 1}:${col}: error AM2013`);
    const anchored = file('anchor.yaml', EXAMPLE.replace('timeout: 3s', 'timeout: &x !!str 3x'));
    const a = await runCli(['validate', '-f', anchored]);
    expect(a.err).toContain(`${anchored}:${line + 1}:${col}: error AM2013`);
  });
});
