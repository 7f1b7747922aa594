/**
 * The ids of the registered meshes, for the few core checks that need them (a MeshInstallation's
 * `spec.mesh`) without importing the adapters, which sit a floor above core. The registry
 * (`src/adapters/index.ts`) records them when it loads, as a driver registers itself; anything
 * that validates MeshInstallation documents (the CLI, the library entry point) loads the registry.
 */
let ids: readonly string[] | undefined;

export function registerMeshIds(meshIds: readonly string[]): void {
  ids = [...meshIds];
}

/** The registered mesh ids; asking before the registry loaded is a programming error. */
export function registeredMeshIds(): readonly string[] {
  if (!ids)
    throw new Error('no meshes are registered: import the mesh registry (src/adapters/index.ts) first');
  return ids;
}
