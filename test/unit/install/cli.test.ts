// The install family's command lines without a cluster: usage errors (exit 2), --render=flux|argocd
// (no helm, no cluster) from flags and from a MeshInstallation document given with --from.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../../support/cli.js';

const cli = (...argv: string[]) => runCli(argv);

describe('anymesh install / uninstall / register / status: command lines', () => {
  it('App Mesh is not installed: points at register (exit 2)', async () => {
    const r = await cli('install', 'appmesh');
    expect(r.code).toBe(2);
    expect(r.err).toContain('anymesh register appmesh');
    expect((await cli('uninstall', 'appmesh')).code).toBe(2);
  });

  it('usage errors: unknown mesh, unknown version, bad --render, bad --timeout, bad --set, register of another mesh', async () => {
    expect((await cli('install', 'kuma')).err).toContain('unknown mesh "kuma"');
    const v = await cli('install', 'istio', '--version', '0.9', '--render=flux');
    expect(v.code).toBe(2);
    expect(v.err).toContain('Istio 0.9 is not in the catalogue; known versions: 1.30.3, 1.29.2');
    expect((await cli('install', 'istio', '--render=helmfile')).err).toContain(
      '--render=helmfile: use manifests, flux, argocd',
    );
    expect((await cli('install', 'istio', '--timeout', 'soon', '--render=flux')).code).toBe(2);
    expect((await cli('install', 'istio', '--set', 'novalue', '--render=flux')).err).toContain(
      '--set "novalue": write key=value',
    );
    expect((await cli('register', 'istio')).code).toBe(2);
    expect((await cli('install')).err).toContain('which mesh?');
  });

  it('--render=flux from flags, with --set and -f values, needs no cluster', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anymesh-cli-'));
    const values = join(dir, 'values.yaml');
    writeFileSync(values, 'pilot:\n  autoscaleEnabled: false\n');
    const r = await cli(
      'install',
      'istio',
      '--version',
      '1.29',
      '--render=flux',
      '-f',
      values,
      '--set',
      'global.hub=mirror.example/istio',
      '-n',
      'mesh',
    );
    expect(r.code, r.err).toBe(0);
    const docs = parseAllDocuments(r.out).map((d) => d.toJS());
    const istiod = docs.find((d) => d.kind === 'HelmRelease' && d.metadata.name === 'istiod');
    expect(istiod.metadata.namespace).toBe('mesh');
    expect(istiod.spec.chart.spec.version).toBe('1.29.2');
    expect(istiod.spec.values).toEqual({
      pilot: { autoscaleEnabled: false },
      global: { hub: 'mirror.example/istio' },
    });
  });

  it('--from a MeshInstallation document, rendered for Argo CD; flags override it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anymesh-cli-'));
    const file = join(dir, 'mesh.yaml');
    writeFileSync(
      file,
      'apiVersion: anymesh.dev/v1alpha1\nkind: MeshInstallation\nmetadata: {name: consul}\nspec:\n  mesh: consul\n  version: "1.16.3"\n  namespace: service-mesh\n  values:\n    server: {replicas: 1}\n',
    );
    const r = await cli('install', '--from', file, '--render=argocd');
    expect(r.code, r.err).toBe(0);
    const [app] = parseAllDocuments(r.out).map((d) => d.toJS());
    expect(app.spec.source).toMatchObject({
      repoURL: 'https://helm.releases.hashicorp.com',
      chart: 'consul',
      targetRevision: '1.2.3',
    });
    expect(app.spec.source.helm.valuesObject).toEqual({
      global: { name: 'consul' },
      connectInject: { enabled: true },
      server: { replicas: 1 },
    });
    expect(app.spec.destination.namespace).toBe('service-mesh');
    const over = await cli('install', '--from', file, '--render=argocd', '--version', '2.0.3');
    expect(parseAllDocuments(over.out)[0]!.toJS().spec.source.targetRevision).toBe('2.0.3');
    const clash = await cli('install', 'istio', '--from', file, '--render=argocd');
    expect(clash.code).toBe(2);
    expect(clash.err).toContain('installs consul');
  });

  it('--from an invalid document: diagnostics, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anymesh-cli-'));
    const file = join(dir, 'mesh.yaml');
    writeFileSync(
      file,
      'apiVersion: anymesh.dev/v1alpha1\nkind: MeshInstallation\nmetadata: {name: x}\nspec:\n  mesh: kuma\n',
    );
    const r = await cli('install', '--from', file, '--render=flux');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error AM\d{4}/);
  });

  it('a Linkerd render notes that open-source charts are edge releases', async () => {
    const r = await cli('install', 'linkerd', '--render=flux');
    expect(r.err).toContain('open-source Linkerd charts are edge releases (chart 2026.8.3)');
  });

  it('status and install name a kubeconfig that does not exist (exit 2)', async () => {
    expect((await cli('status', '--kubeconfig', '/nonexistent/kubeconfig')).code).toBe(2);
    expect((await cli('install', 'istio', '--kubeconfig', '/nonexistent/kubeconfig')).code).toBe(2);
  });
});
