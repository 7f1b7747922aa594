/**
 * The fixture policy of every feature id (they live with their features in `src/core/features/`),
 * as the registry and adapter tests read them, and the adapter options they compile with.
 */
import { MESHES } from '../../src/adapters/index.js';
import { FEATURE_DEFS, type FeatureId } from '../../src/core/features/index.js';

export const FEATURE_FIXTURES = Object.fromEntries(FEATURE_DEFS.map((f) => [f.id, f.fixture.yaml])) as Record<
  FeatureId,
  string
>;

/** Adapter options the fixtures compile with: each mesh's declared example options. */
export const FIXTURE_OPTIONS: Record<string, Record<string, string>> = Object.fromEntries(
  MESHES.map((m) => [m.id, { ...m.exampleOptions }]),
);
