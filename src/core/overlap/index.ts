/** Overlap analysis: conflicting policies and shadowed rules (see analyze.ts). */
export {
  analyzeOverlaps,
  type FindingKind,
  type FindingSite,
  type OverlapFinding,
  overlapDiagnostics,
} from './analyze.js';
export { catches, describeMatch, matchesAll, overlap, ruleEntries, type Tri } from './match.js';
