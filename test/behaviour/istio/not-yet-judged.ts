/**
 * Golden cases whose sidecar output has no behaviour test yet (the Istio evidence level counts
 * only the cases the tier runs: coverage.ts leaves these out). Empty: every golden case is judged.
 * The list may only shrink; a case added here must say what the tier lacks to judge it.
 */
export const NOT_YET_JUDGED: readonly string[] = [];

/**
 * The same for the ambient output (cases the ambient column refuses have no output and need no
 * entry). Empty; it may only shrink.
 */
export const AMBIENT_NOT_YET_JUDGED: readonly string[] = [];
