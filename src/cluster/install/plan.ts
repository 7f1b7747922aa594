/**
 * An install plan: mesh, catalogue version, namespace and values, from flags or a MeshInstallation
 * document. Pure: no cluster, no helm.
 */
import type { ChartRef, MeshVersion } from '../../core/install-catalogue.js';
import {
  type ComponentTarget,
  findVersion,
  type InstallableTarget,
  isInstallable,
  isRegisterOnly,
  type MeshInstallTarget,
  profileIds,
  withProfile,
} from './catalogue.js';

export interface InstallRequest {
  readonly mesh: string;
  readonly version?: string;
  /** An install profile of the mesh (`--profile`); absent: its default one. */
  readonly profile?: string;
  readonly namespace?: string;
  /** Values from a MeshInstallation document, merged under -f files and --set. */
  readonly values?: Record<string, unknown>;
  /** Paths of values files (helm -f), in order. */
  readonly valuesFiles?: readonly string[];
  /** helm --set key=value, in order. */
  readonly set?: readonly string[];
  /** Chart repository override (a mirror, or a local repository in tests). */
  readonly repo?: string;
}

export interface InstallPlan {
  /** The mesh, or the component (the anymesh controller), this plan installs. */
  readonly mesh: InstallableTarget;
  /** Every mesh of the registry: preflight looks for the others on the cluster (conflicts). */
  readonly knownMeshes: readonly MeshInstallTarget[];
  /** The catalogue version with the chosen profile's charts, prerequisites and readiness. */
  readonly release: MeshVersion;
  /** The chosen install profile, for meshes that have profiles (recorded on the Helm releases). */
  readonly profile?: string;
  readonly namespace: string;
  readonly repo: string;
  readonly values: Record<string, unknown>;
  readonly valuesFiles: readonly string[];
  readonly set: readonly string[];
}

export class PlanError extends Error {}

/**
 * Where a chart comes from, as helm's arguments: `RELEASE CHART --repo --version --namespace`, or
 * `RELEASE FOLDER --namespace` for a chart shipped with anymesh.
 */
export function chartSource(plan: InstallPlan, chart: ChartRef): string[] {
  if (chart.path) return [chart.release, chart.path, '--namespace', plan.namespace];
  return [
    chart.release,
    chart.chart,
    '--repo',
    plan.repo,
    '--version',
    chart.version,
    '--namespace',
    plan.namespace,
  ];
}

/** `helm template` of one chart of the plan, CRDs included, with a values file. */
export function templateArgs(plan: InstallPlan, chart: ChartRef, valuesFile: string): string[] {
  return ['template', ...chartSource(plan, chart), '--include-crds', '-f', valuesFile];
}

/** The installable meshes of a registry, and the components, by id, for messages. */
export function installableIds(
  meshes: readonly MeshInstallTarget[],
  components: readonly ComponentTarget[] = [],
): string[] {
  return [...meshes.filter(isInstallable).map((m) => m.id), ...components.map((c) => c.id)];
}

/**
 * A plan for one of `meshes` (the registry's) or of `components`, or a PlanError saying what would
 * be right.
 */
export function makePlan(
  req: InstallRequest,
  meshes: readonly MeshInstallTarget[],
  components: readonly ComponentTarget[] = [],
): InstallPlan {
  const id = req.mesh.toLowerCase();
  const mesh = [...meshes, ...components].find((m) => m.id === id);
  if (mesh && isRegisterOnly(mesh)) {
    throw new PlanError(
      `${mesh.displayName} is not installed by anymesh: ${mesh.install.advice}; record an existing controller with \`anymesh register ${mesh.id}\``,
    );
  }
  if (!mesh || !isInstallable(mesh))
    throw new PlanError(
      `unknown mesh ${JSON.stringify(req.mesh)}: use one of ${installableIds(meshes, components).join(', ')}`,
    );
  const release = findVersion(mesh, req.version);
  if (!release) {
    const known = mesh.install.versions.map((v) => v.version).join(', ');
    throw new PlanError(
      `${mesh.displayName} ${req.version} is not in the catalogue; known versions: ${known}`,
    );
  }
  if (req.repo && release.charts.some((c) => c.path))
    throw new PlanError(`--repo: ${mesh.displayName}'s chart ships with anymesh, from no repository`);
  for (const s of req.set ?? []) {
    if (!/^[^=]+=/.test(s)) throw new PlanError(`--set ${JSON.stringify(s)}: write key=value`);
  }
  const profiles = profileIds(mesh, release);
  if (req.profile !== undefined && profiles.length === 0)
    throw new PlanError(`--profile ${req.profile}: ${mesh.displayName} has no install profiles`);
  const profile = req.profile?.toLowerCase() ?? profiles[0];
  if (profile !== undefined && !profiles.includes(profile))
    throw new PlanError(
      `--profile ${JSON.stringify(req.profile)}: ${mesh.displayName} ${release.version} has the install profiles ${profiles.join(', ')}`,
    );
  return {
    mesh,
    knownMeshes: meshes,
    release: profile !== undefined ? withProfile(mesh, release, profile) : release,
    ...(profile !== undefined ? { profile } : {}),
    namespace: req.namespace ?? mesh.install.defaultNamespace,
    repo: req.repo ?? release.repo,
    values: req.values ?? {},
    valuesFiles: req.valuesFiles ?? [],
    set: req.set ?? [],
  };
}

/** Deep merge of plain objects; `b` wins; arrays are replaced (helm's rule). */
export function mergeValues(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlain(prev) && isPlain(v) ? mergeValues(prev, v) : v;
  }
  return out;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at a dotted path, or undefined. */
export function valueAt(values: Record<string, unknown>, path: string): unknown {
  let cur: unknown = values;
  for (const part of path.split('.')) {
    if (!isPlain(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Applies `a.b.c=v` (helm --set: no list or escape syntax; values stay strings except true/false/numbers). */
export function applySet(values: Record<string, unknown>, assignment: string): Record<string, unknown> {
  const eq = assignment.indexOf('=');
  const path = assignment.slice(0, eq).split('.');
  const raw = assignment.slice(eq + 1);
  const value: unknown =
    raw === 'true' ? true : raw === 'false' ? false : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  const patch: Record<string, unknown> = {};
  let cur = patch;
  path.forEach((p, i) => {
    if (i === path.length - 1) cur[p] = value;
    else {
      const next: Record<string, unknown> = {};
      cur[p] = next;
      cur = next;
    }
  });
  return mergeValues(values, patch);
}
