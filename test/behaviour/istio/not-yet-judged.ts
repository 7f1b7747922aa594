/**
 * Golden cases whose sidecar output has no behaviour test yet (the Istio evidence level counts
 * only the cases the tier runs: coverage.ts leaves these out). Every case is judged now: the list
 * is empty, and may only stay so.
 */
export const NOT_YET_JUDGED: readonly string[] = [];

/**
 * Golden cases whose ambient output (test/golden/istio-ambient) has no behaviour test yet
 * (ambient-coverage.ts leaves them out). Every case with ambient output is judged: the list is
 * empty, and may only stay so.
 */
export const AMBIENT_NOT_YET_JUDGED: readonly string[] = [];
