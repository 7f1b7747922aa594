/**
 * What `anymesh install`, `uninstall` and `status` act on, beside the meshes of the registry
 * (src/adapters, MESHES): the components anymesh installs that are not meshes, today the
 * controller (src/controller/install.ts), which is handed the mesh registry to check its `mesh`
 * value against. Built on first use: it reads the chart's Chart.yaml.
 */
import { MESHES } from '../adapters/index.js';
import type { ComponentTarget } from '../cluster/install/catalogue.js';
import { installableIds } from '../cluster/install/plan.js';
import { controllerTarget } from '../controller/install.js';

let components: readonly ComponentTarget[] | undefined;

export function installComponents(): readonly ComponentTarget[] {
  components ??= [controllerTarget(MESHES)];
  return components;
}

export function componentById(id: string): ComponentTarget | undefined {
  return installComponents().find((c) => c.id === id.toLowerCase());
}

/** Every id `anymesh install` takes, meshes first, for messages and completion. */
export function installTargetIds(): string[] {
  return installableIds(MESHES, installComponents());
}
