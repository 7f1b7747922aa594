/**
 * Golden cases whose sidecar output has no behaviour test yet (the Istio evidence level counts
 * only the cases the tier runs: coverage.ts leaves these out). The list may only shrink, and is
 * empty: the protocol cases (issue 16: gRPC, redirects, rewrites, TCP) are judged in
 * protocols.test.ts since the driver reports redirects, rewrites, tcp_proxy routes and HTTP/2 calls.
 */
export const NOT_YET_JUDGED: readonly string[] = [];

/**
 * The same for the ambient output; empty too: the protocol cases' GRPCRoutes, TCPRoutes,
 * RequestRedirects and URLRewrites are judged at the waypoint in ambient-protocols.test.ts. The
 * list may only shrink.
 */
export const AMBIENT_NOT_YET_JUDGED: readonly string[] = [];
