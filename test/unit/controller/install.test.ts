// The controller as an install target: a component beside the meshes (not among them), its chart
// from the folder the npm package ships, the chart's version the package's, and preflight's
// questions that only the values answer (which mesh, and that mesh's CRDs).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MESHES } from '../../../src/adapters/index.js';
import { isComponent, isInstallable } from '../../../src/cluster/install/catalogue.js';
import {
  chartSource,
  installableIds,
  makePlan,
  PlanError,
  templateArgs,
} from '../../../src/cluster/install/plan.js';
import {
  CONTROLLER_CHART_DIR,
  CONTROLLER_TARGET_ID,
  controllerChartVersion,
  controllerTarget,
} from '../../../src/controller/install.js';
import { ROOT } from '../../support/cases.js';

const target = controllerTarget(MESHES);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  files: string[];
};

describe('anymesh install anymesh: the controller as a component', () => {
  it('is a component with the chart folder of the package, at the package version', () => {
    expect(isComponent(target)).toBe(true);
    expect(MESHES.some((m) => isComponent(m))).toBe(false);
    expect(MESHES.map((m) => m.id)).not.toContain(CONTROLLER_TARGET_ID);
    expect(CONTROLLER_CHART_DIR).toBe(join(ROOT, 'deploy', 'chart', 'anymesh'));
    expect(existsSync(join(CONTROLLER_CHART_DIR, 'Chart.yaml'))).toBe(true);
    expect(controllerChartVersion()).toBe(pkg.version);
    // npm ships the folder (package.json files), so an installed anymesh finds it beside dist/.
    expect(pkg.files).toContain('deploy/chart');
  });

  it('plans with the meshes and the components; a local chart takes no --repo or --version', () => {
    expect(installableIds(MESHES, [target])).toEqual([
      ...MESHES.filter(isInstallable).map((m) => m.id),
      CONTROLLER_TARGET_ID,
    ]);
    const plan = makePlan({ mesh: 'AnyMesh', values: { mesh: MESHES[0]!.id } }, MESHES, [target]);
    expect(plan.mesh.id).toBe(CONTROLLER_TARGET_ID);
    expect(plan.namespace).toBe('anymesh-system');
    const chart = plan.release.charts[0]!;
    expect(chartSource(plan, chart)).toEqual([
      'anymesh',
      CONTROLLER_CHART_DIR,
      '--namespace',
      'anymesh-system',
    ]);
    expect(templateArgs(plan, chart, 'v.yaml')).toEqual([
      'template',
      'anymesh',
      CONTROLLER_CHART_DIR,
      '--namespace',
      'anymesh-system',
      '--include-crds',
      '-f',
      'v.yaml',
    ]);
    expect(() =>
      makePlan({ mesh: 'anymesh', repo: 'https://example.test/charts' }, MESHES, [target]),
    ).toThrow(PlanError);
    // Without the components, the id is unknown (meshes alone do not know it).
    expect(() => makePlan({ mesh: 'anymesh' }, MESHES)).toThrow(/unknown mesh "anymesh"/);
  });

  it('preflight by values: a mesh is required, must be registered, and its CRDs are prerequisites', () => {
    const check = target.preflight!;
    expect(check({})).toEqual({ problems: [], crds: [] }); // the required value reports it
    expect(check({ mesh: 'nosuch' }).problems[0]).toMatch(
      /^mesh="nosuch" is not a mesh anymesh compiles for: use one of /,
    );
    for (const m of MESHES) {
      const r = check({ mesh: m.id });
      expect(r.problems).toEqual([]);
      const crds = m.install.method === 'helm' ? m.install.versions[0]!.readiness.crds : m.install.crds;
      expect(r.crds.map((c) => c.crd)).toEqual([...crds]);
      expect(r.crds.length).toBeGreaterThan(0);
      for (const c of r.crds) expect(c.hint.length).toBeGreaterThan(0);
    }
    expect(target.install.versions[0]!.charts[0]!.requiredValues?.map((v) => v.path)).toEqual(['mesh']);
  });
});
