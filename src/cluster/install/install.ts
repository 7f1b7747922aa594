/**
 * `anymesh install`: preflight, then per chart `helm upgrade --install` and a readiness wait on what
 * that chart created, rolling the chart back (to its previous revision, or uninstalling a first
 * install) when it does not become ready in time; then the catalogue's readiness checks for the mesh.
 * The rollback is anymesh's own rather than helm's --atomic so that the report can say what was not
 * ready and why before the evidence is rolled away.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments, parse as parseYaml, stringify } from 'yaml';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../core/adapter.js';
import { type Diagnostic, diag } from '../../core/diagnostics.js';
import type { ChartRef } from '../../core/install-catalogue.js';
import { type KubeObj, kubeGet, kubeList } from '../client.js';
import { PROFILE_LABEL, RELEASE_LABEL } from '../discovery.js';
import { webhookName } from './catalogue.js';
import { type HelmTarget, helm } from './helm.js';
import { applySet, chartSource, type InstallPlan, mergeValues, templateArgs } from './plan.js';
import { type PreflightCheck, type PreflightOptions, preflight } from './preflight.js';
import {
  describeTarget,
  type ReadinessResult,
  type ReadinessTarget,
  targetsFromManifest,
  waitReady,
} from './readiness.js';

export interface InstallOptions extends PreflightOptions {
  readonly helm: HelmTarget;
  readonly timeoutMs: number;
  /** Proceed although the upgrade would remove CRDs that anymesh-managed objects use. */
  readonly force?: boolean;
  /** Keep a chart that did not become ready instead of rolling it back. */
  readonly noRollback?: boolean;
  readonly progress?: (line: string) => void;
}

export interface ChartOutcome {
  readonly release: string;
  readonly chart: string;
  readonly version: string;
  readonly action: 'installed' | 'upgraded' | 'failed' | 'rolled-back' | 'skipped';
  readonly readiness: readonly ReadinessResult[];
  readonly error?: string;
}

export interface InstallResult {
  readonly ok: boolean;
  readonly mesh: string;
  readonly version: string;
  /** The install profile, for meshes that have profiles. */
  readonly profile?: string;
  readonly namespace: string;
  readonly preflight: readonly PreflightCheck[];
  readonly charts: readonly ChartOutcome[];
  /** The catalogue's readiness checks for the whole mesh, after the last chart. */
  readonly readiness: readonly ReadinessResult[];
  /** Set when the install stopped before helm ran or between charts. */
  readonly refused?: string;
  /** Coded diagnostics (AM505x) for everything that failed or was rolled back. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Values for one chart: its catalogue defaults, then the MeshInstallation values, then -f files in order, then --set. */
export async function chartValues(plan: InstallPlan, chart: ChartRef): Promise<Record<string, unknown>> {
  let values = mergeValues({}, (chart.defaultValues ?? {}) as Record<string, unknown>);
  values = mergeValues(values, plan.values);
  for (const f of plan.valuesFiles) {
    const parsed = parseYaml(await readFile(f, 'utf8')) as unknown;
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed))
        throw new Error(`${f}: a values file must be a mapping`);
      values = mergeValues(values, parsed as Record<string, unknown>);
    }
  }
  for (const s of plan.set) values = applySet(values, s);
  return values;
}

function parseManifest(text: string): KubeObj[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObj | null)
    .filter((o): o is KubeObj => o !== null && typeof o === 'object' && typeof o.kind === 'string');
}

function meshTargets(plan: InstallPlan): ReadinessTarget[] {
  const r = plan.release.readiness;
  return [
    ...r.crds.map((name) => ({ kind: 'CustomResourceDefinition' as const, name })),
    ...r.workloads.map((w) => ({ kind: w.kind, name: w.name, namespace: plan.namespace })),
    ...r.webhooks.map((w) => ({ kind: w.kind, name: webhookName(w, plan.namespace) })),
  ];
}

async function currentRevision(
  kc: KubeConfig,
  release: string,
  namespace: string,
): Promise<number | undefined> {
  const secrets = await kubeList<KubeObj>(
    kc,
    `/api/v1/namespaces/${namespace}/secrets?labelSelector=${encodeURIComponent(`owner=helm,name=${release}`)}`,
  );
  const deployed = secrets.filter((s) =>
    ['deployed', 'superseded'].includes(s.metadata.labels?.status ?? ''),
  );
  const revs = deployed.map((s) => Number(s.metadata.labels?.version)).filter(Number.isFinite);
  return revs.length ? Math.max(...revs) : undefined;
}

/** anymesh-managed objects of the CRDs an upgrade would remove. */
async function crdsGoingAway(
  kc: KubeConfig,
  plan: InstallPlan,
  chart: ChartRef,
  valuesFile: string,
  opts: InstallOptions,
): Promise<{ crds: string[]; objects: string[] }> {
  const current = parseManifest(
    await helm(opts.helm, ['get', 'manifest', chart.release, '--namespace', plan.namespace]),
  ).filter((o) => o.kind === 'CustomResourceDefinition');
  if (current.length === 0) return { crds: [], objects: [] };
  const next = parseManifest(await helm(opts.helm, templateArgs(plan, chart, valuesFile))).filter(
    (o) => o.kind === 'CustomResourceDefinition',
  );
  const inNext = new Set(next.map((o) => o.metadata.name));
  // Helm leaves objects annotated helm.sh/resource-policy: keep in place when a chart drops them.
  const gone = current.filter(
    (o) => !inNext.has(o.metadata.name) && o.metadata.annotations?.['helm.sh/resource-policy'] !== 'keep',
  );
  const objects: string[] = [];
  for (const crd of gone) {
    const live = await kubeGet<
      KubeObj & {
        spec: {
          group: string;
          names: { plural: string; kind: string };
          versions: { name: string; storage?: boolean }[];
        };
      }
    >(kc, `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
    if (!live) continue;
    const version = live.spec.versions.find((v) => v.storage)?.name ?? live.spec.versions[0]?.name;
    const items = await kubeList<KubeObj>(
      kc,
      `/apis/${live.spec.group}/${version}/${live.spec.names.plural}?labelSelector=${encodeURIComponent(`${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`)}`,
    );
    for (const o of items)
      objects.push(
        `${live.spec.names.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`,
      );
  }
  return { crds: gone.map((o) => o.metadata.name), objects };
}

export async function install(
  kc: KubeConfig,
  plan: InstallPlan,
  opts: InstallOptions,
): Promise<InstallResult> {
  const say = opts.progress ?? (() => {});
  const _entry = plan.mesh.install;
  const base = {
    mesh: plan.mesh.id,
    version: plan.release.version,
    ...(plan.profile ? { profile: plan.profile } : {}),
    namespace: plan.namespace,
  };
  const dir = await mkdtemp(join(tmpdir(), 'anymesh-install-'));
  try {
    const valuesFiles: string[] = [];
    let merged: Record<string, unknown> = {};
    for (const [i, chart] of plan.release.charts.entries()) {
      const values = await chartValues(plan, chart);
      merged = mergeValues(merged, values);
      const f = join(dir, `values-${i}-${chart.chart}.yaml`);
      await writeFile(f, stringify(values), { mode: 0o600 }); // may hold keys (Linkerd's issuer)
      valuesFiles.push(f);
    }

    say(
      `preflight: ${plan.mesh.displayName} ${plan.release.version}${plan.profile ? ` (profile ${plan.profile})` : ''} into ${plan.namespace}`,
    );
    const checks = await preflight(kc, plan, merged, opts);
    for (const c of checks)
      say(`  ${c.status === 'ok' ? 'ok  ' : c.status === 'warn' ? 'warn' : 'FAIL'} ${c.check}: ${c.message}`);
    if (checks.some((c) => c.status === 'fail')) {
      return {
        ...base,
        ok: false,
        preflight: checks,
        charts: [],
        readiness: [],
        refused: 'preflight failed',
        diagnostics: checks
          .filter((c) => c.status === 'fail')
          .map((c) =>
            diag('InstallPreflightFailed', {
              mesh: plan.mesh.displayName,
              version: plan.release.version,
              check: c.check,
              reason: c.message,
            }),
          ),
      };
    }

    const deadline = Date.now() + opts.timeoutMs;
    const outcomes: ChartOutcome[] = [];
    for (const [i, chart] of plan.release.charts.entries()) {
      const step = `[${i + 1}/${plan.release.charts.length}] ${chart.release} (${chart.chart} ${chart.version})`;
      const previous = await currentRevision(kc, chart.release, plan.namespace);
      if (previous !== undefined && chart.ownsCrds) {
        const away = await crdsGoingAway(kc, plan, chart, valuesFiles[i]!, opts);
        if (away.crds.length > 0) say(`  ${step}: this version removes CRDs ${away.crds.join(', ')}`);
        if (away.objects.length > 0 && !opts.force) {
          const d = diag('UpgradeRemovesCrds', {
            release: chart.release,
            version: chart.version,
            objects: away.objects.join(', '),
          });
          return {
            ...base,
            ok: false,
            preflight: checks,
            charts: outcomes,
            readiness: [],
            refused: d.message,
            diagnostics: [d],
          };
        }
      }
      say(
        `${step}: helm upgrade --install${previous !== undefined ? ` (revision ${previous} exists: upgrade)` : ''}`,
      );
      const remaining = Math.max(1000, deadline - Date.now());
      try {
        await helm(opts.helm, [
          'upgrade',
          '--install',
          ...chartSource(plan, chart),
          '--create-namespace',
          '-f',
          valuesFiles[i]!,
          '--labels',
          // The profile on every release record, so status and later upgrades know which was installed.
          `${RELEASE_LABEL}=anymesh${plan.profile ? `,${PROFILE_LABEL}=${plan.profile}` : ''}`,
          '--timeout',
          `${Math.ceil(remaining / 1000)}s`,
        ]);
      } catch (e) {
        const error = (e as Error).message;
        say(`  ${step}: failed: ${error}`);
        outcomes.push({
          release: chart.release,
          chart: chart.chart,
          version: chart.version,
          action: 'failed',
          readiness: [],
          error,
        });
        const how = await rollback(kc, plan, chart, previous, opts, say);
        const diagnostics = [diag('InstallHelmFailed', { release: chart.release, reason: error })];
        if (how) diagnostics.push(diag('InstallRolledBack', { release: chart.release, how }));
        return { ...base, ok: false, preflight: checks, charts: outcomes, readiness: [], diagnostics };
      }
      const manifest = parseManifest(
        await helm(opts.helm, ['get', 'manifest', chart.release, '--namespace', plan.namespace]),
      );
      const targets = targetsFromManifest(manifest, plan.namespace);
      say(`  ${step}: applied ${manifest.length} objects; waiting for ${targets.length} to be ready`);
      const wait = await waitReady(kc, targets, Math.max(0, deadline - Date.now()), (r) =>
        say(`    ready: ${describeTarget(r)} (${r.reason})`),
      );
      if (!wait.ready) {
        for (const r of wait.results.filter((x) => !x.ready))
          say(`    NOT READY: ${describeTarget(r)}: ${r.reason}`);
        const rolled = opts.noRollback ? undefined : await rollback(kc, plan, chart, previous, opts, say);
        outcomes.push({
          release: chart.release,
          chart: chart.chart,
          version: chart.version,
          action: rolled ? 'rolled-back' : 'failed',
          readiness: wait.results,
          error: `not ready within the timeout`,
        });
        return {
          ...base,
          ok: false,
          preflight: checks,
          charts: outcomes,
          readiness: wait.results,
          diagnostics: [
            ...notReady(plan, wait.results),
            ...(rolled ? [diag('InstallRolledBack', { release: chart.release, how: rolled })] : []),
          ],
        };
      }
      outcomes.push({
        release: chart.release,
        chart: chart.chart,
        version: chart.version,
        action: previous !== undefined ? 'upgraded' : 'installed',
        readiness: wait.results,
      });
    }
    // What the catalogue says makes this mesh work, whichever chart made it.
    const final = await waitReady(kc, meshTargets(plan), Math.max(2000, deadline - Date.now()));
    for (const r of final.results)
      say(`  ${r.ready ? 'ready' : 'NOT READY'}: ${describeTarget(r)}: ${r.reason}`);
    return {
      ...base,
      ok: final.ready,
      preflight: checks,
      charts: outcomes,
      readiness: final.results,
      diagnostics: notReady(plan, final.results),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function rollback(
  _kc: KubeConfig,
  plan: InstallPlan,
  chart: ChartRef,
  previous: number | undefined,
  opts: InstallOptions,
  say: (l: string) => void,
): Promise<string | undefined> {
  try {
    if (previous !== undefined) {
      say(`  rolling ${chart.release} back to revision ${previous}`);
      await helm(opts.helm, ['rollback', chart.release, String(previous), '--namespace', plan.namespace]);
      return `rolled back to revision ${previous}`;
    }
    say(`  removing ${chart.release} (first install did not succeed)`);
    await helm(opts.helm, ['uninstall', chart.release, '--namespace', plan.namespace]);
    return 'removed (its first install did not succeed)';
  } catch (e) {
    say(`  rollback of ${chart.release} failed: ${(e as Error).message}`);
    return undefined;
  }
}

function notReady(plan: InstallPlan, results: readonly ReadinessResult[]): Diagnostic[] {
  return results
    .filter((r) => !r.ready)
    .map((r) =>
      diag('InstallNotReady', {
        mesh: plan.mesh.displayName,
        version: plan.release.version,
        object: describeTarget(r),
        reason: r.reason,
      }),
    );
}
