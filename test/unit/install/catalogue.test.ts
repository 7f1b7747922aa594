import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { appmeshAdapter } from '../../../src/adapters/appmesh/index.js';
import { consulAdapter } from '../../../src/adapters/consul/index.js';
import { MESHES } from '../../../src/adapters/index.js';
import { istioAdapter } from '../../../src/adapters/istio/index.js';
import { linkerdAdapter } from '../../../src/adapters/linkerd/index.js';
import {
  findVersion,
  type InstallableMesh,
  isInstallable,
  type RegisteredMesh,
} from '../../../src/cluster/install/catalogue.js';
import { applySet, makePlan, mergeValues, PlanError, valueAt } from '../../../src/cluster/install/plan.js';
import { targetsFromManifest } from '../../../src/cluster/install/readiness.js';
import { renderGitOps } from '../../../src/cluster/install/render.js';

const istio = istioAdapter as InstallableMesh;
const linkerd = linkerdAdapter as InstallableMesh;
const consul = consulAdapter as InstallableMesh;
const plan = (req: Parameters<typeof makePlan>[0]) => makePlan(req, MESHES);

describe('version catalogue: shape of the real chart coordinates', () => {
  it('every installable mesh has versions, newest first, with https chart repositories', () => {
    const installable = MESHES.filter(isInstallable);
    expect(installable.map((m) => m.id)).toEqual(['istio', 'linkerd', 'consul']);
    for (const mesh of installable) {
      const e = mesh.install;
      expect(e.versions.length).toBeGreaterThan(0);
      for (const v of e.versions) {
        expect(v.repo).toMatch(/^https:\/\//);
        expect(v.charts.length).toBeGreaterThan(0);
        expect(new Set(v.charts.map((c) => c.release)).size).toBe(v.charts.length);
        expect(v.readiness.workloads.length).toBeGreaterThan(0);
        expect(v.readiness.crds.length).toBeGreaterThan(0);
        for (const crd of v.readiness.crds) expect(e.apiGroups.some((g) => crd.endsWith(`.${g}`))).toBe(true);
        // The CRD-owning chart comes first.
        expect(v.charts[0]!.ownsCrds).toBe(true);
      }
      const nums = e.versions.map((v) => v.version.split('.').map(Number));
      for (let i = 1; i < nums.length; i++) {
        const [a, b] = [nums[i - 1]!, nums[i]!];
        expect(a[0]! * 1000 + a[1]! > b[0]! * 1000 + b[1]!).toBe(true);
      }
    }
  });

  it('Istio: base before istiod in istio-system, from istio-release', () => {
    const v = istio.install.versions[0]!;
    expect(v.repo).toBe('https://istio-release.storage.googleapis.com/charts');
    expect(v.charts.map((c) => `${c.release}=${c.chart}`)).toEqual(['istio-base=base', 'istiod=istiod']);
    expect(istio.install.defaultNamespace).toBe('istio-system');
    expect(v.readiness.workloads).toEqual([{ kind: 'Deployment', name: 'istiod' }]);
  });

  it('Linkerd: linkerd-crds then linkerd-control-plane; 2.19+ needs Gateway API CRDs and identity values', () => {
    const v = findVersion(linkerd, '2.19')!;
    expect(v.charts.map((c) => c.chart)).toEqual(['linkerd-crds', 'linkerd-control-plane']);
    expect(v.crdPrerequisites.map((p) => p.crd)).toContain('httproutes.gateway.networking.k8s.io');
    expect(v.charts[0]!.defaultValues).toEqual({ installGatewayAPI: false });
    expect(v.charts[1]!.requiredValues?.map((r) => r.path)).toEqual([
      'identityTrustAnchorsPEM',
      'identity.issuer.tls.crtPEM',
      'identity.issuer.tls.keyPEM',
    ]);
    expect(findVersion(linkerd, '2.18')!.crdPrerequisites).toEqual([]);
    expect(v.repo).toBe('https://helm.linkerd.io/edge');
  });

  it('Consul: hashicorp/consul chart, licence recorded (1.17+ is BUSL)', () => {
    const versions = consul.install.versions;
    expect(
      versions.every(
        (v) => v.repo === 'https://helm.releases.hashicorp.com' && v.charts[0]!.chart === 'consul',
      ),
    ).toBe(true);
    expect(findVersion(consul, '1.16')!.license).toBe('MPL-2.0');
    expect(versions[0]!.license).toBe('BUSL-1.1');
  });

  it('App Mesh is registered, not installed', () => {
    expect((appmeshAdapter as RegisteredMesh).install.endOfSupport).toBe('2026-09-30');
    expect(() => plan({ mesh: 'appmesh' })).toThrow(/register appmesh/);
  });

  it('findVersion: exact, prefix, chart version, unknown', () => {
    expect(findVersion(istio)!.version).toBe('1.30.3');
    expect(findVersion(istio, '1.29')!.version).toBe('1.29.2');
    expect(findVersion(istio, 'v1.30.3')!.version).toBe('1.30.3');
    expect(findVersion(linkerd, '2026.8.3')!.version).toBe('2.20');
    expect(findVersion(istio, '1.2')).toBeUndefined();
    expect(() => plan({ mesh: 'istio', version: '0.1' })).toThrow(PlanError);
  });
});

describe('values', () => {
  it('merge deeply, --set wins and types true/false/numbers', () => {
    const v = applySet(mergeValues({ a: { b: 1, c: [1] } }, { a: { c: [2] } }), 'a.d.e=true');
    expect(v).toEqual({ a: { b: 1, c: [2], d: { e: true } } });
    expect(valueAt(applySet({}, 'x.y=3'), 'x.y')).toBe(3);
    expect(valueAt(applySet({}, 'x=abc'), 'x')).toBe('abc');
  });
});

describe('readiness targets from a chart manifest', () => {
  it('skips webhooks whose Service a later chart creates', () => {
    const objects = [
      { kind: 'Deployment', metadata: { name: 'istiod' } },
      { kind: 'CustomResourceDefinition', metadata: { name: 'x.y' } },
      {
        kind: 'ValidatingWebhookConfiguration',
        metadata: { name: 'v' },
        webhooks: [{ name: 'a', clientConfig: { service: { name: 'istiod', namespace: 'istio-system' } } }],
      },
      { kind: 'ConfigMap', metadata: { name: 'c' } },
    ];
    expect(targetsFromManifest(objects as never, 'istio-system')).toEqual([
      { kind: 'Deployment', name: 'istiod', namespace: 'istio-system' },
      { kind: 'CustomResourceDefinition', name: 'x.y' },
    ]);
    const withService = [...objects, { kind: 'Service', metadata: { name: 'istiod' } }];
    expect(targetsFromManifest(withService as never, 'istio-system').map((x) => x.kind)).toContain(
      'ValidatingWebhookConfiguration',
    );
  });
});

describe('--render=flux|argocd', () => {
  it('Flux: a HelmRepository and one HelmRelease per chart, chained with dependsOn', async () => {
    const p = plan({ mesh: 'istio', version: '1.30.3', set: ['pilot.resources.requests.cpu=100m'] });
    const docs = parseAllDocuments(await renderGitOps(p, 'flux')).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(['Namespace', 'HelmRepository', 'HelmRelease', 'HelmRelease']);
    expect(docs[1].spec.url).toBe('https://istio-release.storage.googleapis.com/charts');
    expect(docs[2].spec.chart.spec).toEqual({
      chart: 'base',
      version: '1.30.3',
      sourceRef: { kind: 'HelmRepository', name: 'istio' },
    });
    expect(docs[3].spec.dependsOn).toEqual([{ name: 'istio-base' }]);
    expect(docs[3].spec.values.pilot.resources.requests.cpu).toBe('100m');
    expect(docs[3].apiVersion).toBe('helm.toolkit.fluxcd.io/v2');
  });

  it('Argo CD: one Application per chart, sync waves in install order', async () => {
    const p = plan({ mesh: 'linkerd', version: '2.20', namespace: 'mesh' });
    const docs = parseAllDocuments(await renderGitOps(p, 'argocd')).map((d) => d.toJS());
    expect(
      docs.map(
        (d) => `${d.kind}/${d.metadata.name}/${d.metadata.annotations['argocd.argoproj.io/sync-wave']}`,
      ),
    ).toEqual(['Application/linkerd-crds/0', 'Application/linkerd-control-plane/1']);
    expect(docs[0].spec.source).toMatchObject({
      repoURL: 'https://helm.linkerd.io/edge',
      chart: 'linkerd-crds',
      targetRevision: '2026.8.3',
    });
    expect(docs[0].spec.source.helm.valuesObject).toEqual({ installGatewayAPI: false });
    expect(docs[1].spec.destination.namespace).toBe('mesh');
  });
});
