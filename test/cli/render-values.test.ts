// `install linkerd --render=flux|argocd` refuses without the identity values Linkerd's control plane
// cannot run without (as install's preflight does), and says exactly which to add; with them it renders.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../support/cli.js';

const PATHS = ['identityTrustAnchorsPEM', 'identity.issuer.tls.crtPEM', 'identity.issuer.tls.keyPEM'];

describe('install linkerd --render without identity values', () => {
  for (const format of ['flux', 'argocd']) {
    it(`--render=${format}: exit 1, nothing on stdout, every missing value named`, async () => {
      const r = await runCli(['install', 'linkerd', `--render=${format}`]);
      expect(r.code).toBe(1);
      expect(r.out).toBe('');
      expect(r.err).toContain(`linkerd --render=${format} needs chart values`);
      for (const p of PATHS) expect(r.err).toContain(`${p} (chart linkerd-control-plane)`);
      expect(r.err).toContain('--values FILE');
    });
  }

  it('with the values given (a values file and --set), it renders them into the HelmRelease', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anymesh-render-'));
    const values = join(dir, 'identity.yaml');
    writeFileSync(values, 'identityTrustAnchorsPEM: "-----BEGIN CERTIFICATE-----"\n');
    const r = await runCli([
      'install',
      'linkerd',
      '--render=flux',
      '-f',
      values,
      '--set',
      'identity.issuer.tls.crtPEM=CRT',
      '--set',
      'identity.issuer.tls.keyPEM=KEY',
    ]);
    expect(r.code, r.err).toBe(0);
    const cp = parseAllDocuments(r.out)
      .map((d) => d.toJS())
      .find((d) => d.kind === 'HelmRelease' && d.spec.chart.spec.chart === 'linkerd-control-plane');
    expect(cp.spec.values.identity.issuer.tls).toEqual({ crtPEM: 'CRT', keyPEM: 'KEY' });
  });

  it('a mesh without required values renders as before', async () => {
    expect((await runCli(['install', 'istio', '--render=argocd'])).code).toBe(0);
  });
});
