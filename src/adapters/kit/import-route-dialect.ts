/**
 * Where meshes read one Gateway API route differently (HTTPRoute v1.6.1 leaves these to the
 * implementation, or the mesh departs from it): the shared route reading (import-route-*.ts)
 * asks the importing mesh's dialect instead of assuming one mesh's behaviour.
 */
export interface RouteDialect {
  /** The mesh, as messages name it. */
  readonly mesh: string;
  /**
   * Whether a RegularExpression match must match the whole value (Istio hands it to Envoy's
   * safe_regex, a whole-value match); otherwise an unanchored one is reported: Gateway API leaves
   * open whether it matches part of the value.
   */
  readonly wholeValueRegex: boolean;
  /** Whether a RegularExpression path outranks every PathPrefix (Linkerd) or ranks below (Istio). */
  readonly regexAbovePrefix: boolean;
  /** Filters the mesh applies beside header modifiers and redirects, read into the neutral rule. */
  readonly filters: ReadonlySet<'RequestMirror' | 'URLRewrite' | 'CORS'>;
  /** Why a filter of another type imports nothing. */
  refusedFilter(type: string): string;
  /** What the mesh does with a Service backendRef that names no port. */
  missingPort(service: string): string;
  /**
   * What the mesh does with a rule that names no backend, when that is not the neutral default
   * (calls go to the parent Service); undefined when it is.
   */
  readonly withoutBackends?: string;
}
