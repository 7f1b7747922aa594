// A folder of a GitOps repository holds other manifests too: documents of other API groups are
// skipped and counted (not errors); --strict-kinds refuses them; a typo in anymesh's own kinds is
// still an error.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'anymesh-kinds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const repo = join(tmp, 'gitops');
mkdirSync(join(repo, 'apps'), { recursive: true });
writeFileSync(join(repo, 'policy.yaml'), readFileSync(join(ROOT, 'examples', 'bookinfo-canary.yaml')));
writeFileSync(
  join(repo, 'apps', 'config.yaml'),
  'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
);
writeFileSync(
  join(repo, 'kustomization.yaml'),
  'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [policy.yaml]\n',
);

describe('directories with other manifests', () => {
  it('validate: the policies are checked, the rest skipped and counted', async () => {
    const r = await runCli(['validate', '-f', repo]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(
      'note: skipped 3 documents of other kinds (ConfigMap 2, Kustomization 1); --strict-kinds refuses them',
    );
    expect(r.err).toContain('1 policy valid');
    const json = JSON.parse((await runCli(['validate', '-f', repo, '-o', 'json'])).out);
    expect(json.skipped).toEqual({ ConfigMap: 2, Kustomization: 1 });
  });

  it('compile writes the resources of the policies only', async () => {
    const r = await runCli(['compile', '-f', repo, '--mesh', 'istio', '-o', 'name']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(
      'destinationrule.networking.istio.io/reviews\nvirtualservice.networking.istio.io/reviews\n',
    );
  });

  it('--strict-kinds refuses them (AM1009 at the apiVersion)', async () => {
    const r = await runCli(['validate', '-f', repo, '--strict-kinds']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('3 errors, 0 warnings'); // the two ConfigMaps' errors are one group
    expect(r.err.match(/error AM1009/g)).toHaveLength(2);
  });

  it('an unknown kind of anymesh.dev is still an error; a folder of other kinds only has no input', async () => {
    const typo = join(tmp, 'typo.yaml');
    writeFileSync(
      typo,
      'apiVersion: anymesh.dev/v1alpha1\nkind: TraficPolicy\nmetadata: {name: x}\nspec: {}\n',
    );
    const r = await runCli(['validate', '-f', typo]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error AM\d{4}: kind:/);
    const none = await runCli(['validate', '-f', join(repo, 'apps')]);
    expect(none.code).toBe(1);
    expect(none.err).toContain('AM1002');
  });
});
