/**
 * Golden cases whose sidecar output has no behaviour test yet (the Istio evidence level counts
 * only the cases the tier runs: coverage.ts leaves these out). Empty: every golden case is judged.
 * The list may only shrink; a case added here must say what the tier lacks to judge it.
 */
// http2-api: added with protocol http2 this session; its expectations (h2UpgradePolicy on the
// subsets' clusters, the 80/20 split, the search route) are not written yet.
export const NOT_YET_JUDGED: readonly string[] = ['test/cases/http2-api.yaml'];

/**
 * The same for the ambient output (cases the ambient column refuses have no output and need no
 * entry). Empty; it may only shrink.
 */
// http2-api: as above (appProtocol h2c on the waypoint's leaf clusters not judged yet).
export const AMBIENT_NOT_YET_JUDGED: readonly string[] = ['test/cases/http2-api.yaml'];
