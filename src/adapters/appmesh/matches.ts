/**
 * Route matches: a model match entry -> VirtualRouter `routes[].httpRoute.match`.
 *
 * Native fields (appmesh.k8s.aws/v1beta2 VirtualRouter CRD, controller v1.13.3): `prefix` |
 * `path.{exact|regex}`, `method`, `headers[] {name, match.{exact|prefix|regex|...}}` (at most 10,
 * name at most 50 characters, values at most 255), `queryParameters[] {name, match.exact}` (at most
 * 10; exact is the only query match App Mesh has).
 * Docs: https://docs.aws.amazon.com/app-mesh/latest/APIReference/API_HttpRouteMatch.html and
 * https://docs.aws.amazon.com/app-mesh/latest/APIReference/API_HttpRouteHeader.html
 */
import { type Diagnostic, makeDiagnostic } from '../../core/diagnostics.js';
import type { FieldPath } from '../../core/loader/positions.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { RouteMatchT } from '../../core/model/schema.js';
import { APPMESH_MESSAGES } from './messages.js';
import type { Obj } from './plan.js';

const MAX_VALUE = 255;
const MAX_HEADER_NAME = 50;
const MAX_CONDITIONS = 10;

export function routeMatch(
  m: RouteMatchT | undefined,
  doc: PolicyDoc,
  at: FieldPath,
  diagnostics: Diagnostic[],
): Obj {
  const long = (value: string, max: number, what: string, path: FieldPath) => {
    if (value.length > max) {
      diagnostics.push(
        makeDiagnostic(
          APPMESH_MESSAGES.ValueTooLong,
          { what, length: value.length, max },
          doc.at([...at, ...path]),
        ),
      );
    }
  };
  const out: Obj = {};
  if (m?.path?.exact !== undefined) {
    long(m.path.exact, MAX_VALUE, 'the path', ['path', 'exact']);
    out.path = { exact: m.path.exact };
  } else if (m?.path?.regex !== undefined) {
    long(m.path.regex, MAX_VALUE, 'the path regex', ['path', 'regex']);
    out.path = { regex: m.path.regex };
  } else {
    // App Mesh wants a prefix or a path on every HTTP route; "/" alone matches every request.
    out.prefix = m?.path?.prefix ?? '/';
    if (m?.path?.prefix !== undefined) long(m.path.prefix, MAX_VALUE, 'the path prefix', ['path', 'prefix']);
  }
  if (m?.method) out.method = m.method;
  if (m?.headers?.length) {
    if (m.headers.length > MAX_CONDITIONS) {
      diagnostics.push(
        makeDiagnostic(
          APPMESH_MESSAGES.TooManyConditions,
          { count: m.headers.length, what: 'header' },
          doc.at([...at, 'headers']),
        ),
      );
    }
    out.headers = m.headers.map((h, i) => {
      long(h.name, MAX_HEADER_NAME, 'the header name', ['headers', i, 'name']);
      for (const kind of ['exact', 'prefix', 'regex'] as const) {
        const v = h[kind];
        if (v !== undefined) long(v, MAX_VALUE, `the header ${kind} value`, ['headers', i, kind]);
      }
      // Header names are case-insensitive; Envoy stores them in lower case.
      return { name: h.name.toLowerCase(), match: headerMatch(h) };
    });
  }
  if (m?.queryParams?.length) {
    if (m.queryParams.length > MAX_CONDITIONS) {
      diagnostics.push(
        makeDiagnostic(
          APPMESH_MESSAGES.TooManyConditions,
          { count: m.queryParams.length, what: 'query parameter' },
          doc.at([...at, 'queryParams']),
        ),
      );
    }
    // The capability column refuses regex and present before compile: only exact arrives here.
    out.queryParameters = m.queryParams.map((q) => ({ name: q.name, match: { exact: q.exact } }));
  }
  return out;
}

export function headerMatch(h: NonNullable<RouteMatchT['headers']>[number]): Obj {
  if (h.present) {
    // No presence matcher in App Mesh; a regex that accepts any value (empty included) only holds
    // when the header is there, since Envoy fails a regex match on a missing header.
    return { regex: '.*' };
  }
  if (h.exact !== undefined) {
    // The CRD wants at least one character; an exact empty value is the regex of the empty string.
    return h.exact === '' ? { regex: '^$' } : { exact: h.exact };
  }
  if (h.prefix !== undefined) return h.prefix === '' ? { regex: '.*' } : { prefix: h.prefix };
  return { regex: h.regex };
}
