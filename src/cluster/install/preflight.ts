/**
 * Preflight: everything that can be known before helm touches the cluster. Kubernetes version, the
 * mesh's API groups (present or missing) and CRD prerequisites, a conflicting mesh already running,
 * the values the charts cannot do without, and permissions (SelfSubjectAccessReview per verb and
 * resource the charts create).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeCall, kubeGet } from '../client.js';
import { discoverMeshes } from '../discovery.js';
import { isComponent } from './catalogue.js';
import type { HelmTarget } from './helm.js';
import { type InstallPlan, valueAt } from './plan.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface PreflightCheck {
  readonly check:
    | 'kubernetes-version'
    | 'api-groups'
    | 'crd-prerequisites'
    | 'conflicts'
    | 'values'
    | 'permissions';
  readonly status: CheckStatus;
  readonly message: string;
}

export interface PreflightOptions {
  /** Another mesh's control plane is running: proceed anyway (two meshes inject sidecars into the same pods). */
  readonly allowOtherMesh?: boolean;
  readonly helm?: HelmTarget;
}

/** What the charts create, checked with SelfSubjectAccessReview. */
const PERMISSIONS: readonly { group: string; resource: string; verb: string; namespaced: boolean }[] = [
  { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', verb: 'create', namespaced: false },
  { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', verb: 'create', namespaced: false },
  { group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings', verb: 'create', namespaced: false },
  {
    group: 'admissionregistration.k8s.io',
    resource: 'mutatingwebhookconfigurations',
    verb: 'create',
    namespaced: false,
  },
  {
    group: 'admissionregistration.k8s.io',
    resource: 'validatingwebhookconfigurations',
    verb: 'create',
    namespaced: false,
  },
  { group: '', resource: 'namespaces', verb: 'create', namespaced: false },
  { group: 'apps', resource: 'deployments', verb: 'create', namespaced: true },
  { group: '', resource: 'services', verb: 'create', namespaced: true },
  { group: '', resource: 'secrets', verb: 'create', namespaced: true },
  { group: '', resource: 'serviceaccounts', verb: 'create', namespaced: true },
];

async function kubeVersion(kc: KubeConfig): Promise<{ gitVersion: string; minor: number }> {
  const v = (await kubeCall(kc, 'GET', '/version')) as { gitVersion: string; minor: string };
  return { gitVersion: v.gitVersion, minor: Number.parseInt(v.minor, 10) };
}

export async function preflight(
  kc: KubeConfig,
  plan: InstallPlan,
  effectiveValues: Record<string, unknown>,
  opts: PreflightOptions = {},
): Promise<PreflightCheck[]> {
  const entry = plan.mesh.install;
  const out: PreflightCheck[] = [];

  const v = await kubeVersion(kc);
  out.push(
    v.minor >= plan.release.minKubeMinor
      ? {
          check: 'kubernetes-version',
          status: 'ok',
          message: `Kubernetes ${v.gitVersion} (${plan.mesh.displayName} ${plan.release.version} needs 1.${plan.release.minKubeMinor}+)`,
        }
      : {
          check: 'kubernetes-version',
          status: 'fail',
          message: `Kubernetes ${v.gitVersion} is too old: ${plan.mesh.displayName} ${plan.release.version} needs 1.${plan.release.minKubeMinor} or later`,
        },
  );

  const groups = (((await kubeCall(kc, 'GET', '/apis')) as { groups?: { name: string }[] }).groups ?? []).map(
    (g) => g.name,
  );
  const present = entry.apiGroups.filter((g) => groups.includes(g));
  const missing = entry.apiGroups.filter((g) => !groups.includes(g));
  out.push({
    check: 'api-groups',
    status: 'ok',
    message: `present: ${present.join(', ') || 'none'}; missing (the charts install them): ${missing.join(', ') || 'none'}`,
  });

  const byValues = isComponent(plan.mesh) ? plan.mesh.preflight?.(effectiveValues) : undefined;
  const prerequisites = [...plan.release.crdPrerequisites, ...(byValues?.crds ?? [])];
  const prereqMissing: string[] = [];
  const prereqOther: string[] = [];
  for (const p of prerequisites) {
    const crd = await kubeGet<{ metadata?: { annotations?: Record<string, string> } }>(
      kc,
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${p.crd}`,
    );
    if (!crd) prereqMissing.push(`${p.crd}: ${p.hint}`);
    else if (p.annotation) {
      const found = crd.metadata?.annotations?.[p.annotation.key];
      if (found !== p.annotation.value)
        prereqOther.push(
          `${p.crd} has ${p.annotation.key}: ${found ?? '(none)'}, not ${p.annotation.value}: ${p.annotation.why}`,
        );
    }
  }
  if (prerequisites.length > 0) {
    out.push(
      prereqMissing.length > 0
        ? {
            check: 'crd-prerequisites',
            status: 'fail',
            message: `missing CRDs: ${prereqMissing.join('; ')}`,
          }
        : prereqOther.length > 0
          ? { check: 'crd-prerequisites', status: 'warn', message: prereqOther.join('; ') }
          : {
              check: 'crd-prerequisites',
              status: 'ok',
              message: prerequisites.map((p) => p.crd).join(', '),
            },
    );
  }

  // A component (the anymesh controller) runs beside a mesh: no mesh conflicts with it.
  const component = isComponent(plan.mesh);
  const meshes = await discoverMeshes(
    kc,
    component ? [plan.mesh] : plan.knownMeshes,
    opts.helm ? { helm: opts.helm } : {},
  );
  const others = meshes.filter((m) => m.mesh !== plan.mesh.id && m.installed);
  const self = meshes.find((m) => m.mesh === plan.mesh.id);
  const problems: string[] = [];
  let conflictStatus: CheckStatus = 'ok';
  if (others.length > 0) {
    problems.push(
      `${others.map((m) => `${m.displayName} (${m.namespace ?? '?'}, installed by ${m.installedBy})`).join(', ')} already running: two meshes would both inject proxies into the same pods`,
    );
    conflictStatus = opts.allowOtherMesh ? 'warn' : 'fail';
  }
  if (self?.installed && self.installedBy === 'manual') {
    problems.push(
      `${plan.mesh.displayName} is already installed without Helm in ${self.namespace}: helm would refuse to adopt its objects; uninstall it first or keep managing it by hand`,
    );
    conflictStatus = 'fail';
  } else if (self?.installed && self.namespace && self.namespace !== plan.namespace) {
    problems.push(`${plan.mesh.displayName} already runs in ${self.namespace}, not ${plan.namespace}`);
    conflictStatus = 'fail';
  } else if (self?.installed && plan.profile && self.profile && self.profile !== plan.profile) {
    // Another profile: helm upgrades the charts both have and installs the new ones; a chart only
    // the running profile has would stay behind (ztunnel beside an istiod that is not ambient).
    const next = new Set(plan.release.charts.map((c) => c.release));
    const left = self.releases.map((r) => r.name).filter((n) => !next.has(n));
    if (left.length > 0) {
      problems.push(
        `${plan.mesh.displayName} runs with install profile ${self.profile}: profile ${plan.profile} would leave ${left.join(', ')} behind; pass --profile ${self.profile}, or uninstall first`,
      );
      conflictStatus = 'fail';
    }
  }
  out.push({
    check: 'conflicts',
    status: conflictStatus,
    message:
      problems.join('; ') +
        (conflictStatus === 'fail' && others.length > 0 && !opts.allowOtherMesh
          ? ' (--allow-other-mesh to proceed anyway)'
          : '') ||
      (self?.installed
        ? `upgrading ${plan.mesh.displayName} ${self.version ?? ''} (installed by ${self.installedBy}${self.profile && plan.profile ? `, profile ${self.profile}${self.profile !== plan.profile ? ` -> ${plan.profile}` : ''}` : ''})`.replace(
            '  ',
            ' ',
          )
        : component
          ? 'not installed yet'
          : 'no other mesh found'),
  });

  const missingValues: string[] = [];
  for (const chart of plan.release.charts) {
    for (const req of chart.requiredValues ?? []) {
      const val = valueAt(effectiveValues, req.path);
      if (val === undefined || val === '') missingValues.push(`${req.path} (${chart.chart}): ${req.hint}`);
    }
  }
  const badValues = [
    ...(missingValues.length ? [`missing values: ${missingValues.join('; ')}`] : []),
    ...(byValues?.problems ?? []),
  ];
  out.push(
    badValues.length === 0
      ? { check: 'values', status: 'ok', message: 'required chart values are set' }
      : { check: 'values', status: 'fail', message: badValues.join('; ') },
  );

  // DaemonSets only where the charts make them (Istio ambient: istio-cni-node and ztunnel); a
  // component names what its chart creates.
  const meshPermissions = plan.release.readiness.workloads.some((w) => w.kind === 'DaemonSet')
    ? [...PERMISSIONS, { group: 'apps', resource: 'daemonsets', verb: 'create', namespaced: true }]
    : PERMISSIONS;
  const permissions = entry.creates?.map((c) => ({ ...c, verb: 'create' })) ?? meshPermissions;
  const denied: string[] = [];
  await Promise.all(
    permissions.map(async (p) => {
      const review = (await kubeCall(kc, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: {
          resourceAttributes: {
            group: p.group,
            resource: p.resource,
            verb: p.verb,
            ...(p.namespaced ? { namespace: plan.namespace } : {}),
          },
        },
      })) as { status?: { allowed?: boolean } };
      if (!review.status?.allowed) {
        denied.push(
          `${p.verb} ${p.group ? `${p.resource}.${p.group}` : p.resource}${p.namespaced ? ` in ${plan.namespace}` : ''}`,
        );
      }
    }),
  );
  denied.sort();
  out.push(
    denied.length === 0
      ? {
          check: 'permissions',
          status: 'ok',
          message: `allowed to create what the charts install (${permissions.length} checks)`,
        }
      : { check: 'permissions', status: 'fail', message: `not allowed to: ${denied.join(', ')}` },
  );
  return out;
}
