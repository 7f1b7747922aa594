// Install profiles (`anymesh install istio --profile ambient`): the catalogue's ambient charts in
// Istio's documented order, the profile validated as a usage error, carried into --render, and the
// kinds the ambient output writes known to status, uninstall and prune (policyResources).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { MESHES } from '../../../src/adapters/index.js';
import { allCharts, isInstallable, profileIds } from '../../../src/cluster/install/catalogue.js';
import { makePlan, PlanError } from '../../../src/cluster/install/plan.js';
import { MANAGED_BY_LABEL } from '../../../src/core/adapter.js';
import type { PolicyResource } from '../../../src/core/install-catalogue.js';
import { runCli } from '../../support/cli.js';
import { testColumns } from '../../support/columns.js';

const cli = (...argv: string[]) => runCli(argv);
const ROOT = join(import.meta.dirname, '..', '..', '..');
const istio = MESHES.find((m) => m.id === 'istio')!;

describe('install profiles', () => {
  it('Istio has sidecar (default: base, istiod) and ambient (base, istiod, istio-cni, ztunnel, in Istio order)', () => {
    const sidecar = makePlan({ mesh: 'istio' }, MESHES);
    expect(sidecar.profile).toBe('sidecar');
    expect(sidecar.release.charts.map((c) => c.release)).toEqual(['istio-base', 'istiod']);
    const ambient = makePlan({ mesh: 'istio', version: '1.29', profile: 'ambient' }, MESHES);
    expect(ambient.profile).toBe('ambient');
    expect(ambient.release.version).toBe('1.29.2');
    expect(ambient.release.charts.map((c) => `${c.release}:${c.chart}@${c.version}`)).toEqual([
      'istio-base:base@1.29.2',
      'istiod:istiod@1.29.2',
      'istio-cni:cni@1.29.2',
      'ztunnel:ztunnel@1.29.2',
    ]);
    expect(ambient.release.charts.map((c) => c.defaultValues?.profile)).toEqual([
      undefined,
      'ambient',
      'ambient',
      undefined,
    ]);
    expect(ambient.release.readiness.workloads.map((w) => `${w.kind}/${w.name}`)).toEqual([
      'Deployment/istiod',
      'DaemonSet/istio-cni-node',
      'DaemonSet/ztunnel',
    ]);
    expect(ambient.release.crdPrerequisites.map((p) => p.crd)).toEqual([
      'gateways.gateway.networking.k8s.io',
      'httproutes.gateway.networking.k8s.io',
    ]);
    // Uninstall goes backwards through every profile's charts.
    if (!isInstallable(istio)) throw new Error('istio is installable');
    expect(allCharts(istio.install.versions[0]!).map((c) => c.release)).toEqual([
      'istio-base',
      'istiod',
      'istio-cni',
      'ztunnel',
    ]);
  });

  it('an unknown profile, or a profile for a mesh without profiles, is a PlanError naming the known ones', () => {
    expect(() => makePlan({ mesh: 'istio', profile: 'demo' }, MESHES)).toThrow(
      new PlanError('--profile "demo": Istio 1.30.3 has the install profiles sidecar, ambient'),
    );
    for (const m of MESHES.filter(isInstallable).filter((m) => !m.install.defaultProfile)) {
      expect(profileIds(m, m.install.versions[0]!)).toEqual([]);
      expect(() => makePlan({ mesh: m.id, profile: 'ambient' }, MESHES)).toThrow(
        `--profile ambient: ${m.displayName} has no install profiles`,
      );
    }
  });

  it('the CLI: unknown profile is a usage error (exit 2) listing the known ones', async () => {
    const r = await cli('install', 'istio', '--profile', 'minimal', '--render=flux');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--profile "minimal": Istio 1.30.3 has the install profiles sidecar, ambient');
    const l = await cli('install', 'linkerd', '--profile', 'ambient', '--render=flux');
    expect(l.code).toBe(2);
    expect(l.err).toContain('Linkerd has no install profiles');
  });

  it('--render=flux carries the profile: four HelmReleases chained in order, profile=ambient values', async () => {
    const r = await cli(
      'install',
      'istio',
      '--profile',
      'ambient',
      '--render=flux',
      '--set',
      'global.hub=m/i',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out.split('\n')[0]).toContain('Istio 1.30.3 profile ambient (flux)');
    const docs = parseAllDocuments(r.out).map((d) => d.toJS());
    const releases = docs.filter((d) => d.kind === 'HelmRelease');
    expect(
      releases.map(
        (d) => `${d.metadata.name}:${d.spec.chart.spec.chart}<-${d.spec.dependsOn?.[0]?.name ?? '-'}`,
      ),
    ).toEqual([
      'istio-base:base<--',
      'istiod:istiod<-istio-base',
      'istio-cni:cni<-istiod',
      'ztunnel:ztunnel<-istio-cni',
    ]);
    expect(releases.map((d) => d.spec.values)).toEqual([
      { defaultRevision: 'default', global: { hub: 'm/i' } },
      { profile: 'ambient', global: { hub: 'm/i' } },
      { profile: 'ambient', global: { hub: 'm/i' } },
      { global: { hub: 'm/i' } },
    ]);
  });

  it('--render=argocd carries the profile: sync waves 0-3 in install order', async () => {
    const r = await cli('install', 'istio', '--profile', 'ambient', '--render=argocd');
    expect(r.code, r.err).toBe(0);
    const apps = parseAllDocuments(r.out)
      .map((d) => d.toJS())
      .filter((d) => d.kind === 'Application');
    expect(
      apps.map((a) => `${a.metadata.annotations['argocd.argoproj.io/sync-wave']}:${a.spec.source.chart}`),
    ).toEqual(['0:base', '1:istiod', '2:cni', '3:ztunnel']);
    expect(apps[2].spec.source.helm.valuesObject).toEqual({ profile: 'ambient' });
  });
});

/** Group/kind of every managed object in a column's golden files. */
function goldenKinds(column: string): Set<string> {
  const out = new Set<string>();
  const dir = join(ROOT, 'test', 'golden', column);
  for (const f of readdirSync(dir)) {
    for (const d of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) {
      const o = d.toJS() as {
        apiVersion: string;
        kind: string;
        metadata: { labels?: Record<string, string> };
      };
      if (!o?.kind || o.metadata.labels?.[MANAGED_BY_LABEL] !== 'anymesh') continue;
      const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
      out.add(`${o.kind}.${group}`);
    }
  }
  return out;
}

const gk = (r: PolicyResource) => `${r.kind}.${r.group}`;

describe('policyResources: what status, uninstall and prune count', () => {
  it('Istio lists every kind its sidecar and ambient goldens write (HTTPRoute, waypoint Gateway, leaf Service)', () => {
    const listed = new Set(istio.install.policyResources.map(gk));
    for (const column of testColumns().filter((c) => c.adapter.id === 'istio')) {
      expect(
        [...goldenKinds(column.id)].filter((k) => !listed.has(k)),
        column.id,
      ).toEqual([]);
    }
    expect([...goldenKinds('istio-ambient')].sort()).toEqual([
      'AuthorizationPolicy.security.istio.io',
      // BackendPolicy: the waypoint applies the DestinationRule (ambient-backend.ts).
      'DestinationRule.networking.istio.io',
      'GRPCRoute.gateway.networking.k8s.io',
      'Gateway.gateway.networking.k8s.io',
      'HTTPRoute.gateway.networking.k8s.io',
      'PeerAuthentication.security.istio.io',
      'Service.',
      'TCPRoute.gateway.networking.k8s.io',
    ]);
  });

  it('a kind two meshes list is marked shared in both (counted by ApplySet, not for every mesh)', () => {
    const owners = new Map<string, { mesh: string; shared: boolean }[]>();
    for (const m of MESHES)
      for (const r of m.install.policyResources)
        owners.set(gk(r), [...(owners.get(gk(r)) ?? []), { mesh: m.id, shared: r.shared === true }]);
    const shared = [...owners].filter(([, o]) => o.length > 1);
    expect(shared.map(([k]) => k)).toContain('HTTPRoute.gateway.networking.k8s.io');
    for (const [k, o] of shared)
      expect(
        o.filter((x) => !x.shared),
        k,
      ).toEqual([]);
  });
});
