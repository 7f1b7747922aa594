/**
 * `install --render`: everything instead of installing. `manifests` runs `helm template` per chart
 * (CRDs included); `flux` and `argocd` need no chart download: Flux HelmRepository + HelmRelease
 * documents (dependsOn keeps the chart order), or Argo CD Applications (sync waves keep it).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type HelmTarget, helm } from './helm.js';
import { chartValues } from './install.js';
import { type InstallPlan, templateArgs } from './plan.js';

export type RenderFormat = 'manifests' | 'flux' | 'argocd';
export const RENDER_FORMATS: readonly RenderFormat[] = ['manifests', 'flux', 'argocd'];

const LABELS = { 'app.kubernetes.io/managed-by': 'anymesh' };

/** ` profile ambient` in the header, for meshes with install profiles. */
function profileNote(plan: InstallPlan): string {
  return plan.profile ? ` profile ${plan.profile}` : '';
}

function yamlDocs(docs: readonly object[]): string {
  return docs.map((d) => `---\n${stringify(d, { lineWidth: 0 })}`).join('');
}

export async function renderGitOps(plan: InstallPlan, format: 'flux' | 'argocd'): Promise<string> {
  const _entry = plan.mesh.install;
  const docs: object[] = [];
  if (format === 'flux') {
    docs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: plan.namespace, labels: LABELS } });
    docs.push({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: plan.mesh.id, namespace: plan.namespace, labels: LABELS },
      spec: { interval: '1h', url: plan.repo },
    });
    let prev: string | undefined;
    for (const chart of plan.release.charts) {
      const values = await chartValues(plan, chart);
      docs.push({
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: { name: chart.release, namespace: plan.namespace, labels: LABELS },
        spec: {
          interval: '1h',
          releaseName: chart.release,
          targetNamespace: plan.namespace,
          ...(prev ? { dependsOn: [{ name: prev }] } : {}),
          chart: {
            spec: {
              chart: chart.chart,
              version: chart.version,
              sourceRef: { kind: 'HelmRepository', name: plan.mesh.id },
            },
          },
          install: { crds: 'CreateReplace', remediation: { retries: 3 } },
          upgrade: { crds: 'CreateReplace', remediation: { retries: 3, remediateLastFailure: true } },
          ...(Object.keys(values).length ? { values } : {}),
        },
      });
      prev = chart.release;
    }
  } else {
    for (const [i, chart] of plan.release.charts.entries()) {
      const values = await chartValues(plan, chart);
      docs.push({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: {
          name: chart.release,
          namespace: 'argocd',
          labels: LABELS,
          // Lower waves sync first: the CRD chart before the control plane.
          annotations: { 'argocd.argoproj.io/sync-wave': String(i) },
        },
        spec: {
          project: 'default',
          source: {
            repoURL: plan.repo,
            chart: chart.chart,
            targetRevision: chart.version,
            helm: {
              releaseName: chart.release,
              ...(Object.keys(values).length ? { valuesObject: values } : {}),
            },
          },
          destination: { server: 'https://kubernetes.default.svc', namespace: plan.namespace },
          syncPolicy: {
            automated: { prune: true, selfHeal: true },
            syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
          },
        },
      });
    }
  }
  const header = `# ${plan.mesh.displayName} ${plan.release.version}${profileNote(plan)} (${format}) rendered by anymesh from ${plan.repo}\n`;
  return header + yamlDocs(docs);
}

export async function renderManifests(plan: InstallPlan, target: HelmTarget): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'anymesh-render-'));
  try {
    const parts: string[] = [
      `# ${plan.mesh.displayName} ${plan.release.version}${profileNote(plan)} rendered by anymesh (helm template) from ${plan.repo}\n`,
      yamlDocs([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: plan.namespace } }]),
    ];
    for (const [i, chart] of plan.release.charts.entries()) {
      const f = join(dir, `values-${i}.yaml`);
      await writeFile(f, stringify(await chartValues(plan, chart)), { mode: 0o600 });
      const out = await helm(target, templateArgs(plan, chart, f));
      parts.push(
        `# chart ${chart.chart} ${chart.version} (release ${chart.release})\n`,
        out.endsWith('\n') ? out : `${out}\n`,
      );
    }
    return parts.join('');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
