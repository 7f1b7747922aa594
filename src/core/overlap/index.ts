/** Overlap analysis: conflicting policies and shadowed rules (see analyze.ts). */
export { analyzeOverlaps, overlapDiagnostics } from './analyze.js';
export { catches, describeMatch, matchesAll, overlap } from './match.js';
