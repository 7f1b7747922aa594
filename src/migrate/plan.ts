/**
 * `anymesh migrate plan`: native objects of one mesh -> neutral policies -> the objects of another,
 * with, per policy, what moves losslessly, what is lost or changes (from the import, with native
 * positions, and from the target's capability cells), the two capability columns side by side and
 * the ordered steps of a side-by-side cut-over.
 *
 * No mesh knowledge here: the source and the target are passed in (an ImportSource, a
 * MeshAdapter), and everything mesh-specific comes from them (their importer, capability column,
 * install method, display name).
 */
import { type CompileContext, DEFAULT_CONTEXT, type KubeObject, type MeshAdapter } from '../core/adapter.js';
import type { CapabilityCell, CapabilityColumn } from '../core/capabilities.js';
import { columnOf, columnVariant, shownColumns } from '../core/columns.js';
import { compilePolicies } from '../core/compiler/compile.js';
import { featuresUsed } from '../core/compiler/usage.js';
import type { Diagnostic } from '../core/diagnostics.js';
import type { ImportSource, SkippedObject } from '../core/import.js';
import { type ImportRun, importLoaded } from '../core/import-pipeline.js';
import type { LoadResult } from '../core/loader/loader.js';
import type { PolicyDoc } from '../core/model/policy-doc.js';
import { checkPortability, type Loss, type Verdict } from '../core/portability/check.js';

export interface FeatureColumns {
  readonly feature: string;
  /** The source mesh's cell, when the source is a mesh anymesh compiles to. */
  readonly source?: Pick<CapabilityCell, 'support' | 'reason'>;
  readonly target: Pick<CapabilityCell, 'support' | 'reason'>;
  /** The two cells' support levels differ: how far the target expresses the feature changes with the move. */
  readonly changed?: boolean;
}

export interface ImportLoss {
  readonly code: string;
  readonly level: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** Field path in the native object. */
  readonly path?: string;
  /** The native object (`Kind/namespace/name`). */
  readonly object?: string;
  readonly message: string;
}

export interface PolicyPlan {
  /** `Kind/namespace/name` of the imported policy. */
  readonly policy: string;
  /** The native objects it was joined from. */
  readonly from: readonly string[];
  /** lossless only when neither the import nor the target loses anything. */
  readonly status: Verdict;
  readonly importLosses: ImportLoss[];
  readonly targetLosses: Loss[];
  readonly features: FeatureColumns[];
}

export interface CutoverStep {
  readonly step: number;
  readonly action: string;
  readonly command?: string;
  /** How to go back from here; the last step with a rollback is the rollback point. */
  readonly rollback?: string;
}

export interface MigrationPlan {
  /** `column`: the capability column (e.g. Istio's sidecar or ambient data plane), when the mesh has several. */
  readonly source: { readonly id: string; readonly displayName: string; readonly column?: string };
  readonly target: { readonly id: string; readonly displayName: string; readonly column?: string };
  /** True when every policy moves losslessly and nothing failed. */
  readonly ok: boolean;
  readonly policies: PolicyPlan[];
  /** Native objects not imported, and losses not tied to a policy. */
  readonly skipped: SkippedObject[];
  readonly unattached: ImportLoss[];
  readonly fields: ImportRun['fields'];
  /** The neutral policies, as `anymesh import` prints them. */
  readonly neutralYaml: string;
  readonly objects: KubeObject[];
  readonly steps: CutoverStep[];
  /** Errors that stop the plan (invalid input, a target compile failure). */
  readonly errors: Diagnostic[];
}

export interface PlanOptions {
  readonly source: ImportSource;
  /** The source's descriptor when it is a mesh anymesh compiles to (for its capability column). */
  readonly sourceMesh?: MeshAdapter;
  readonly target: MeshAdapter;
  readonly context?: Partial<CompileContext>;
  /** The options the source mesh runs with, for its capability column (default: none, its default column). */
  readonly sourceOptions?: Readonly<Record<string, string>>;
  readonly strict?: boolean;
}

const toImportLoss = (d: Diagnostic): ImportLoss => ({
  code: d.code,
  level: d.level,
  ...(d.location ? { file: d.location.file, line: d.location.line, column: d.location.col } : {}),
  ...(d.path ? { path: d.path } : {}),
  ...(d.policy ? { object: d.policy } : {}),
  message: d.message,
});

const cell = (c: CapabilityCell) => ({ support: c.support, reason: c.reason });

/** The plan for native files (or stdin) as loaded. */
export function planMigration(loaded: LoadResult, options: PlanOptions): MigrationPlan {
  const context = { ...DEFAULT_CONTEXT, ...options.context };
  return planImport(
    importLoaded(loaded, options.source, { ...context, strict: options.strict === true }),
    options,
  );
}

/**
 * The plan for native objects imported already (`migrate plan --from-cluster` reads them from the
 * API server): `run` is the import of them with `options.context` and `strict`.
 */
export function planImport(run: ImportRun, options: PlanOptions): MigrationPlan {
  const { source, target } = options;
  const context: CompileContext & { defaultNamespace?: string } = { ...DEFAULT_CONTEXT, ...options.context };
  const errors = run.diagnostics.filter((d) => d.level === 'error');
  const targetColumn: CapabilityColumn = target.capabilitiesFor?.(context) ?? target.capabilities;
  // The source runs with its own options, not the target's: moving Istio from sidecars to ambient
  // compares the sidecar column with the ambient one. Unless given, they are the column the native
  // objects are written for (the importer says: waypoints and their routes are ambient's).
  const sourceOptions = options.sourceOptions ?? run.columnOptions ?? {};
  const sourceColumn = options.sourceMesh ? columnOf(options.sourceMesh, sourceOptions) : undefined;
  const titled = (m: MeshAdapter, o: Readonly<Record<string, string>>) =>
    shownColumns(m).length > 1 ? { column: columnVariant(m, o).title } : {};
  const sourceTitle = options.sourceMesh ? titled(options.sourceMesh, sourceOptions) : {};
  const targetTitle = titled(target, context.options ?? {});
  const portability = checkPortability(run.loaded.policies, [target], { context });
  const byRef = new Map(portability.policies.map((p) => [p.policy, p]));
  const losses = run.diagnostics.filter((d) => d.level !== 'info' && d.level !== 'error');
  const attached = new Set<Diagnostic>();
  const fromOf = new Map(
    run.policies.map((p) => [
      `${p.policy.kind}/${p.policy.metadata.namespace ?? context.defaultNamespace ?? 'default'}/${p.policy.metadata.name}`,
      p.from,
    ]),
  );
  const policies: PolicyPlan[] = run.loaded.policies.map((doc) => {
    const from = fromOf.get(doc.ref) ?? [];
    const mine = losses.filter((d) => d.policy !== undefined && from.includes(d.policy));
    for (const d of mine) attached.add(d);
    const result = byRef.get(doc.ref)?.results[target.id];
    const targetLosses = result?.losses ?? [];
    const features = [...new Set(featuresUsed(doc).map((u) => u.feature))].sort().map((f) => {
      const changed = sourceColumn !== undefined && sourceColumn[f].support !== targetColumn[f].support;
      return {
        feature: f,
        ...(sourceColumn ? { source: cell(sourceColumn[f]) } : {}),
        target: cell(targetColumn[f]),
        ...(changed ? { changed: true } : {}),
      };
    });
    const status: Verdict =
      result?.status === 'refused'
        ? 'refused'
        : mine.length || result?.status === 'lossy'
          ? 'lossy'
          : 'lossless';
    return {
      policy: doc.ref,
      from,
      status,
      importLosses: mine.map(toImportLoss),
      targetLosses,
      features,
    };
  });
  const compiled = errors.length
    ? { ok: false, resources: [] as KubeObject[], diagnostics: [] as Diagnostic[] }
    : // The policies the target refuses are listed with their reasons; the rest still move.
      compilePolicies(
        run.loaded.policies.filter((_, i) => policies[i]!.status !== 'refused'),
        target,
        { allowDegraded: true, context },
      );
  const unattached = losses.filter((d) => !attached.has(d)).map(toImportLoss);
  const allErrors = [...errors, ...compiled.diagnostics.filter((d) => d.level === 'error')];
  const ok =
    allErrors.length === 0 &&
    unattached.length === 0 &&
    run.skipped.length === 0 &&
    policies.every((p) => p.status === 'lossless');
  return {
    source: { id: source.id, displayName: source.displayName, ...sourceTitle },
    target: { id: target.id, displayName: target.displayName, ...targetTitle },
    ok,
    policies,
    skipped: run.skipped,
    unattached,
    fields: run.fields,
    neutralYaml: run.yaml,
    objects: compiled.ok ? compiled.resources : [],
    steps:
      options.sourceMesh?.id === target.id && sourceTitle.column === targetTitle.column
        ? adoptSteps(target, context.options ?? {}, policies, compiled.ok ? compiled.resources : [])
        : options.sourceMesh?.id === target.id
          ? columnSwitchSteps(
              target,
              sourceTitle.column,
              targetTitle.column,
              context.options ?? {},
              sourceOptions,
              policies,
              {
                gateways: ingressGateways(run.loaded.policies),
                from: sourceColumn?.['gateway.route']?.native,
                to: targetColumn['gateway.route']?.native,
              },
            )
          : cutoverSteps(source, target, policies, ingressGateways(run.loaded.policies)),
    errors: allErrors,
  };
}

/**
 * The ingress gateways the policies are bound to, with how each column binds routes to them
 * (the gateway.route cells' native fields): when those differ, so does the gateway's kind
 * (Istio sidecar: a networking.istio.io Gateway; ambient: a Gateway API Gateway).
 */
interface ColumnGateways {
  readonly gateways: readonly string[];
  readonly from: string | undefined;
  readonly to: string | undefined;
}

/**
 * The same mesh, another column (Istio's sidecar data plane -> ambient): nothing new is installed
 * beside it; the other data plane is enabled, its objects applied, and namespaces switched one by
 * one, each switch undone by switching back until the old objects are removed. Ingress routes
 * bound to gateways of another kind in the new column need those gateways beside the old ones,
 * and clients shifted to them.
 */
function columnSwitchSteps(
  mesh: MeshAdapter,
  from: string | undefined,
  to: string | undefined,
  options: Readonly<Record<string, string>>,
  sourceOptions: Readonly<Record<string, string>>,
  policies: readonly PolicyPlan[],
  ingress: ColumnGateways,
): CutoverStep[] {
  const flags = Object.entries(options)
    .map(([k, v]) => ` --option ${k}=${v}`)
    .join('');
  const namespaces = [...new Set(policies.map((p) => p.policy.split('/')[1]!))].sort();
  const source = from ?? `${mesh.displayName} as it runs`;
  const target = to ?? `${mesh.displayName} with the new options`;
  const newGateways = ingress.gateways.length > 0 && ingress.from !== ingress.to;
  const steps: Omit<CutoverStep, 'step'>[] = [
    {
      action: `Review the losses and the changed features above (${source} -> ${target}) before going on`,
      command: `anymesh check -f policies/ --mesh ${mesh.id}${flags}`,
    },
    enableStep(mesh, source, target, installProfile(mesh, options), installProfile(mesh, sourceOptions)),
    ...(newGateways
      ? [
          {
            action: `Create the ${target} ingress gateways the policies are bound to (${ingress.gateways.join(', ')}) beside the ${source} ones of the same names, listening on their ports and host names: ${target} binds routes by ${ingress.to}, ${source} by ${ingress.from}; anymesh binds routes to them but does not create them`,
            rollback: `delete those gateways; the ${source} gateways still take every client`,
          },
        ]
      : []),
    {
      action: `Apply the ${target} objects beside the ${source} ones; workloads not yet moved keep reading the ${source} objects`,
      command: `anymesh apply -f policies/ --mesh ${mesh.id}${flags} --dry-run=server && anymesh apply -f policies/ --mesh ${mesh.id}${flags}`,
      rollback: `anymesh delete -f policies/ --mesh ${mesh.id}${flags}`,
    },
    {
      action: `Per namespace (${namespaces.join(', ') || 'none'}): switch it from ${source} to ${target} (the mesh's namespace labels) and restart its workloads, watching errors and latency`,
      rollback: `switch the namespace back to ${source} and restart its workloads; this is the rollback point: until the next step the ${source} objects are all still there`,
    },
    ...(newGateways
      ? [
          {
            action: `Shift clients from the ${source} gateways to the ${target} ones (weighted DNS or load balancer: 10%, 50%, 100%), watching errors and latency`,
            rollback: `shift the clients back to the ${source} gateways, which still route as before`,
          },
        ]
      : []),
    {
      action: `Remove the ${source} objects (${policies.flatMap((p) => p.from).length} native objects imported${newGateways ? ', and the old gateways' : ''}) once no namespace runs on ${source}`,
    },
  ];
  return steps.map((s, i) => ({ step: i + 1, ...s }));
}

/** Kubernetes' own kinds an import reads (`from` may name them): the user's, never deleted. */
const USER_KINDS = [
  'Service',
  'Namespace',
  'ServiceAccount',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Pod',
  'Job',
  'CronJob',
];

/**
 * The same mesh and the same column (hand-written Istio ambient routes to anymesh's): nothing moves
 * between data planes; anymesh takes the objects over. What it writes under a native object's kind
 * and name replaces that object (applied taking over the fields of the field manager that wrote
 * it); the native objects it does not write again are deleted last, once the new ones route.
 */
function adoptSteps(
  mesh: MeshAdapter,
  options: Readonly<Record<string, string>>,
  policies: readonly PolicyPlan[],
  objects: readonly KubeObject[],
): CutoverStep[] {
  const flags = Object.entries(options)
    .map(([k, v]) => ` --option ${k}=${v}`)
    .join('');
  const written = new Set(
    objects.map((o) => `${o.kind}/${o.metadata.namespace ?? 'default'}/${o.metadata.name}`),
  );
  // A refused policy's objects stay as they are; so do the user's own objects an import read (a
  // leaf Service anymesh writes again under its name is replaced; the other Services, a Namespace
  // whose annotation was a default policy, the workloads whose ports a Server named, are not
  // anymesh's to delete).
  const native = [...new Set(policies.filter((p) => p.status !== 'refused').flatMap((p) => p.from))].sort();
  const replaced = native.filter((ref) => written.has(ref));
  const left = native.filter(
    (ref) => !written.has(ref) && !USER_KINDS.includes(ref.slice(0, ref.indexOf('/'))),
  );
  const kept = policies.filter((p) => p.status === 'refused').map((p) => p.policy);
  const steps: Omit<CutoverStep, 'step'>[] = [
    {
      action: `Review the losses above before going on: the imported policies say what the native objects say except there`,
      command: `anymesh check -f policies/ --mesh ${mesh.id}${flags}`,
    },
    {
      action: `See what anymesh's objects change on the cluster: ${replaced.length ? `${replaced.join(', ')} are written again under their names` : 'no native object is written again under its name'}`,
      command: `anymesh diff -f policies/ --mesh ${mesh.id}${flags}`,
    },
    {
      action: `Apply anymesh's objects, taking over the fields of the objects written by hand (their field manager is another)`,
      command: `anymesh apply -f policies/ --mesh ${mesh.id}${flags} --dry-run=server && anymesh apply -f policies/ --mesh ${mesh.id}${flags} --force-conflicts`,
      rollback: `apply the native files again (kubectl apply --server-side --force-conflicts -f native/); this is the rollback point while the next step has not run`,
    },
    {
      action: `${
        left.length
          ? `Delete the native objects anymesh does not write again (${left.join(', ')}), once anymesh's route as they did`
          : 'Nothing to delete: anymesh writes every native object it replaces again under its name'
      }${kept.length ? `; the native objects of the refused policies (${kept.join(', ')}) stay` : ''}`,
      ...(left.length ? { rollback: 'apply those native objects again' } : {}),
    },
  ];
  return steps.map((x, i) => ({ step: i + 1, ...x }));
}

/**
 * The install profile (`anymesh install --profile`) a column's options stand for: an option value
 * that names one of the mesh's profiles (Istio's `istio.dataplane=ambient` is the ambient
 * profile); undefined for the default installation.
 */
function installProfile(mesh: MeshAdapter, options: Readonly<Record<string, string>>): string | undefined {
  if (mesh.install.method !== 'helm') return undefined;
  const profiles = new Set(mesh.install.versions.flatMap((v) => Object.keys(v.profiles ?? {})));
  return Object.values(options).find((v) => profiles.has(v));
}

/**
 * Enabling the target column in the running mesh: upgrading to its install profile; or, when the
 * source runs a profile and the target is the default installation, keeping that profile until
 * the last namespace has moved (a profile adds to the default one: Istio's ambient profile runs
 * istiod, which injects sidecars too, beside istio-cni and ztunnel).
 */
function enableStep(
  mesh: MeshAdapter,
  source: string,
  target: string,
  profile: string | undefined,
  sourceProfile: string | undefined,
): Omit<CutoverStep, 'step'> {
  if (!profile && sourceProfile)
    return {
      action: `Keep the running ${mesh.displayName} installation (profile ${sourceProfile}): it runs ${target} workloads too, and installing the default profile now would remove what the ${source} workloads need; do that after the last step`,
    };
  return {
    action: `Enable ${target} in the running ${mesh.displayName} (its installation with the options of that data plane); workloads on ${source} are not touched`,
    command: `anymesh install ${mesh.id}${profile ? ` --profile ${profile}` : ''}`,
  };
}

/** The ingress gateways the policies are bound to (spec.gateway), as `<namespace>/<name>`. */
function ingressGateways(docs: readonly PolicyDoc[]): string[] {
  const out = new Set<string>();
  for (const d of docs) {
    const g = (d.policy.spec as { gateway?: { name: string; namespace?: string } }).gateway;
    if (d.kind === 'TrafficPolicy' && g) out.add(`${g.namespace ?? d.namespace}/${g.name}`);
  }
  return [...out].sort();
}

/**
 * A side-by-side cut-over: both meshes run, workloads move namespace by namespace with traffic
 * shifted by weight, and the source's objects stay until the end, so every step before their
 * removal can be undone. Ingress moves the same way: the target's gateways (which anymesh binds
 * routes to but does not create) stand beside the source's, and clients are shifted to them.
 */
function cutoverSteps(
  source: ImportSource,
  target: MeshAdapter,
  policies: readonly PolicyPlan[],
  gateways: readonly string[] = [],
): CutoverStep[] {
  const namespaces = [...new Set(policies.map((p) => p.policy.split('/')[1]!))].sort();
  const installed =
    target.install.method === 'helm'
      ? {
          action: `Install ${target.displayName} beside ${source.displayName}`,
          command: `anymesh install ${target.id}`,
        }
      : {
          action: `Install the ${target.displayName} controller by hand (${target.install.installHint}) and record it`,
          command: `anymesh register ${target.id}`,
        };
  const steps: Omit<CutoverStep, 'step'>[] = [
    {
      action: 'Review the losses above; fix the neutral policies (or accept the losses) before going on',
      command: `anymesh check -f policies/ --mesh ${target.id}`,
    },
    { ...installed, rollback: `anymesh uninstall ${target.id}` },
    ...(gateways.length
      ? [
          {
            action: `Create the ${target.displayName} ingress gateways the policies are bound to (${gateways.join(', ')}), listening on the ports and host names of the ${source.displayName} ones; anymesh binds routes to them but does not create them`,
            rollback: `delete those gateways; ${source.displayName}'s gateways still take every client`,
          },
        ]
      : []),
    {
      action: `Apply the ${target.displayName} objects; ${source.displayName} keeps serving all traffic`,
      command: `anymesh apply -f policies/ --mesh ${target.id} --dry-run=server && anymesh apply -f policies/ --mesh ${target.id}`,
      rollback: `anymesh delete -f policies/ --mesh ${target.id}`,
    },
    {
      action: `Per namespace (${namespaces.join(', ') || 'none'}): run a second deployment of each workload in ${target.displayName} and shift traffic to it by weight (10%, 50%, 100%), watching errors and latency at each weight`,
      rollback: `shift the weight back to the ${source.displayName} deployments; this is the rollback point: until the next step nothing of ${source.displayName} is gone`,
    },
    ...(gateways.length
      ? [
          {
            action: `Shift clients from the ${source.displayName} gateways to the ${target.displayName} ones (weighted DNS or load balancer: 10%, 50%, 100%), watching errors and latency`,
            rollback: `shift the clients back to the ${source.displayName} gateways, which still route as before`,
          },
        ]
      : []),
    {
      action: `Remove the ${source.displayName} deployments and objects (${policies.flatMap((p) => p.from).length} native objects imported), then ${source.displayName} itself`,
    },
  ];
  return steps.map((s, i) => ({ step: i + 1, ...s }));
}
