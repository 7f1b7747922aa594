/**
 * How a capability cell is proven, strongest first:
 * - behaviour: the mesh's own code ran on anymesh's output and what it made of it (routes, splits,
 *   timeouts, decisions per caller) was compared with what the policy means;
 * - accepted: a real component of the mesh stored the output (a kube-apiserver with the mesh's
 *   official CRDs, their CEL rules included, or the mesh's own agent), which proves it is valid input,
 *   not what a request meets;
 * - schema: the output only validates against the mesh's official CRD schemas.
 *
 * Levels are not typed in by hand per cell: each mesh descriptor names its evidence sources, and the
 * behaviour level lists the features its behaviour tier observes. The registry test keeps the lists
 * honest both ways against the behaviour tier's own declaration (test/behaviour/<mesh>/coverage.ts)
 * and the golden cases the accepting component sees. A `none` cell has no level: nothing is produced.
 */
import type { CapabilityCell } from './capabilities.js';
import type { FeatureId } from './features/index.js';

export type EvidenceLevel = 'behaviour' | 'accepted' | 'schema';

export const EVIDENCE_LEVELS: readonly EvidenceLevel[] = ['behaviour', 'accepted', 'schema'];

export interface MeshEvidence {
  /** What every output is validated against: the official schemas (always present). */
  readonly schema: string;
  /**
   * The real component that stores every golden output, when there is one; absent when only the
   * schema can be checked (and then why, in `schema`).
   */
  readonly accepted?: string;
  /** The mesh's own code that is asked what the output means, and the features it observes. */
  readonly behaviour?: { readonly judge: string; readonly features: readonly FeatureId[] };
}

/** The level of one cell: behaviour where the tier observes it, else what the mesh's sources give. */
export function cellEvidence(
  evidence: MeshEvidence,
  feature: FeatureId,
  cell: CapabilityCell,
): EvidenceLevel | undefined {
  if (cell.support === 'none') return undefined;
  if (evidence.behaviour?.features.includes(feature)) return 'behaviour';
  return evidence.accepted ? 'accepted' : 'schema';
}
