/**
 * `anymesh install anymesh`: the controller's own chart (deploy/chart/anymesh, shipped inside the
 * npm package, package.json `files`) installed through the same machinery as the meshes
 * (src/cluster/install: preflight, `helm upgrade --install`, readiness, rollback). The controller
 * is not a mesh but a component beside one: it compiles for the one mesh its `mesh` value names,
 * and the chart grants exactly that mesh's kinds (values.yaml `meshRules`, derived by rbac.ts).
 * Preflight asks for that value, checks it names a registered mesh, and that the mesh's CRDs are
 * served (the controller applies that mesh's kinds; without them every reconcile fails).
 * The mesh registry is handed in by the CLI, as for the controller itself.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { ComponentTarget } from '../cluster/install/catalogue.js';
import type { MeshAdapter } from '../core/adapter.js';
import type { CrdPrerequisite, MeshVersion } from '../core/install-catalogue.js';
import { CRD_GROUP, CRD_KINDS, pluralOf } from './crds.js';

/** The id `anymesh install` / `uninstall` / `status` know the controller by. */
export const CONTROLLER_TARGET_ID = 'anymesh';
/** The Helm release; the chart names its Deployment `<release>-controller`. */
export const CONTROLLER_RELEASE = 'anymesh';

/** The chart folder: two levels above this module, from src/controller and from dist/controller. */
export const CONTROLLER_CHART_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'deploy',
  'chart',
  'anymesh',
);

/** The chart's own version (helm reads a local chart's Chart.yaml; so does this). */
export function controllerChartVersion(dir = CONTROLLER_CHART_DIR): string {
  const chart = parse(readFileSync(join(dir, 'Chart.yaml'), 'utf8')) as { version?: unknown };
  if (typeof chart.version !== 'string') throw new Error(`${dir}/Chart.yaml: no version`);
  return chart.version;
}

type MeshFacts = Pick<MeshAdapter, 'id' | 'displayName' | 'install'>;

/** The CRDs a mesh's objects live in, as its install catalogue names them. */
function meshCrds(mesh: MeshFacts): readonly string[] {
  const i = mesh.install;
  return i.method === 'helm' ? (i.versions[0]?.readiness.crds ?? []) : i.crds;
}

/** `anymesh install <mesh>`, or what registers it, for the hint of a missing mesh CRD. */
function installHint(mesh: MeshFacts): string {
  return mesh.install.method === 'helm'
    ? `install ${mesh.displayName} first (anymesh install ${mesh.id})`
    : mesh.install.installHint;
}

export function controllerTarget(meshes: readonly MeshFacts[]): ComponentTarget {
  const version = controllerChartVersion();
  const release: MeshVersion = {
    version,
    repo: CONTROLLER_CHART_DIR,
    charts: [
      {
        release: CONTROLLER_RELEASE,
        chart: 'anymesh',
        version,
        path: CONTROLLER_CHART_DIR,
        requiredValues: [
          {
            path: 'mesh',
            hint: `the mesh the controller compiles for (--mesh, or --set mesh=): one of ${meshes.map((m) => m.id).join(', ')}`,
          },
        ],
      },
    ],
    // x-kubernetes-validations (the CRDs' CEL rules) are GA since Kubernetes 1.29.
    minKubeMinor: 29,
    crdPrerequisites: [],
    readiness: {
      crds: CRD_KINDS.map((k) => `${pluralOf(k)}.${CRD_GROUP}`),
      workloads: [{ kind: 'Deployment', name: `${CONTROLLER_RELEASE}-controller` }],
      webhooks: [],
    },
    license: 'Apache-2.0',
  };
  return {
    id: CONTROLLER_TARGET_ID,
    displayName: 'anymesh controller',
    component: true,
    install: {
      method: 'helm',
      defaultNamespace: 'anymesh-system',
      apiGroups: [CRD_GROUP],
      // Its policies stay when the controller goes (helm keeps crds/ CRDs): nothing to refuse for.
      policyResources: [],
      versions: [release],
      docs: 'docs/controller.md',
      creates: [
        { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', namespaced: false },
        { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', namespaced: false },
        { group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings', namespaced: false },
        { group: '', resource: 'namespaces', namespaced: false },
        { group: 'apps', resource: 'deployments', namespaced: true },
        { group: '', resource: 'serviceaccounts', namespaced: true },
        { group: 'rbac.authorization.k8s.io', resource: 'roles', namespaced: true },
        { group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespaced: true },
      ],
    },
    preflight: (values): { problems: string[]; crds: CrdPrerequisite[] } => {
      const wanted = values.mesh;
      if (wanted === undefined || wanted === '') return { problems: [], crds: [] }; // requiredValues says so
      const mesh = meshes.find((m) => m.id === wanted);
      if (!mesh)
        return {
          problems: [
            `mesh=${JSON.stringify(wanted)} is not a mesh anymesh compiles for: use one of ${meshes.map((m) => m.id).join(', ')}`,
          ],
          crds: [],
        };
      return {
        problems: [],
        crds: meshCrds(mesh).map((crd) => ({ crd, hint: installHint(mesh) })),
      };
    },
  };
}
