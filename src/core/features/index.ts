/**
 * The feature catalogue: every capability a policy can use, with a stable hierarchical id,
 * assembled from the family files beside this one (each feature's description, the model fields
 * that use it, what leaving it out removes, and a fixture policy).
 *
 * Ids are a contract (CI pipelines gate on them through `anymesh capabilities -o json`), so they are
 * only ever added, never renamed, and keep their order. Each adapter declares a cell for every id
 * (see `capabilities.ts`); `FeatureId` is a union of literals, so a missing cell is a type error.
 *
 * A new feature: its entry in its family file (a new family: a file here and a line below), a cell
 * in each adapter's capability column, the adapters' code, and a golden case.
 */
import { access } from './access.js';
import { backend } from './backend.js';
import { backends } from './backends.js';
import { cors } from './cors.js';
import { fault } from './fault.js';
import { gateway } from './gateway.js';
import { headers } from './headers.js';
import { match } from './match.js';
import { mirror } from './mirror.js';
import { mtls } from './mtls.js';
import { protocol } from './protocol.js';
import { retries } from './retries.js';
import { route } from './route.js';
import { routing } from './routing.js';
import { timeout } from './timeout.js';
import type { FeatureDef } from './types.js';

export type {
  DropScope,
  ExplainGroup,
  FamilyDef,
  FeatureDef,
  FieldUse,
  Fixture,
  UseContext,
} from './types.js';

/** Every family, in catalogue order. */
export const FAMILIES = [
  match,
  backends,
  routing,
  timeout,
  retries,
  fault,
  mirror,
  headers,
  cors,
  mtls,
  access,
  backend,
  protocol,
  route,
  gateway,
] as const;

export type FeatureId = (typeof FAMILIES)[number]['features'][number]['id'];

/** The features of BackendPolicy: adapters keep their cells in a module of their own. */
export type BackendFeatureId = Extract<FeatureId, `backend.${string}`>;

/** Every feature, in catalogue order. */
export const FEATURE_DEFS: readonly FeatureDef<FeatureId>[] = FAMILIES.flatMap(
  (f): readonly FeatureDef<FeatureId>[] => f.features,
);

/** Feature id -> description. */
export const FEATURES = Object.fromEntries(FEATURE_DEFS.map((f) => [f.id, f.description])) as Readonly<
  Record<FeatureId, string>
>;

export const FEATURE_IDS: readonly FeatureId[] = FEATURE_DEFS.map((f) => f.id);

/** The family of a feature id is its first segment: `retries.on.http` belongs to `retries`. */
export function featureFamily(id: FeatureId): string {
  return id.split('.')[0] ?? id;
}

export function isFeatureId(value: string): value is FeatureId {
  return Object.hasOwn(FEATURES, value);
}

/**
 * Feature ids selected by a user's `--feature` argument: an exact id, or every id under a prefix
 * (`fault` selects `fault.delay`, `fault.abort.http`, `fault.abort.grpc`).
 */
export function selectFeatures(query: string): FeatureId[] {
  return FEATURE_IDS.filter((id) => id === query || id.startsWith(`${query}.`));
}
