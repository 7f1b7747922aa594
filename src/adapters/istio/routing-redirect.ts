/**
 * Redirects and rewrites as VirtualService `http[].redirect` and `http[].rewrite`
 * (networking.istio.io/v1, Istio 1.30.3 CRD). The port and status follow the model (Gateway API's
 * meaning), written as Istio writes its own Gateway API conversion (conversion.go
 * `createRedirectFilter`, `createRewriteFilter`, istio/istio 86c9f01):
 * - no port: `derivePort: FROM_PROTOCOL_DEFAULT` when the scheme changes, else `FROM_REQUEST_PORT`;
 * - the status is always written: Istio's default is 301, the model's (Gateway API's) 302;
 * - replaceFullPath as a rewrite is `uriRegexRewrite {match: "/.*"}` (the whole path), and
 *   replacePrefixMatch is `uri` (Istio replaces the matched prefix with it).
 * A redirect's replacePrefixMatch never reaches here (cell none: the CRD has no prefix form).
 */
import type { RedirectT, RewriteT } from '../../core/model/schema.js';

type Obj = Record<string, unknown>;

export function istioRedirect(r: RedirectT): Obj {
  return {
    ...(r.path?.replaceFullPath !== undefined ? { uri: r.path.replaceFullPath } : {}),
    ...(r.host !== undefined ? { authority: r.host } : {}),
    ...(r.port !== undefined
      ? { port: r.port }
      : { derivePort: r.scheme !== undefined ? 'FROM_PROTOCOL_DEFAULT' : 'FROM_REQUEST_PORT' }),
    ...(r.scheme !== undefined ? { scheme: r.scheme } : {}),
    redirectCode: r.statusCode ?? 302,
  };
}

export function istioRewrite(r: RewriteT): Obj {
  const path = r.path;
  return {
    ...(path?.replacePrefixMatch !== undefined ? { uri: path.replacePrefixMatch } : {}),
    ...(r.host !== undefined ? { authority: r.host } : {}),
    ...(path?.replaceFullPath !== undefined
      ? { uriRegexRewrite: { match: '/.*', rewrite: path.replaceFullPath } }
      : {}),
  };
}
