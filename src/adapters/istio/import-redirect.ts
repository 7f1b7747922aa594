/**
 * VirtualService `http[].redirect` and `http[].rewrite` back to neutral redirects and rewrites,
 * the inverse of routing-redirect.ts, with Istio's meaning (istio/istio 86c9f01
 * pilot/pkg/networking/core/route/route.go `ApplyRedirect`, `applyHTTPRouteDestination`):
 * - redirectCode 0 or absent is 301 (Istio's default; the neutral default is 302, so it is written
 *   out), 301/302/303/307/308 as they are; any other code makes istiod drop the route's action;
 * - derivePort FROM_REQUEST_PORT is the request's port (the neutral default without a scheme),
 *   FROM_PROTOCOL_DEFAULT and no port setting leave Envoy's default, the scheme's port (the neutral
 *   default with a scheme); the other combinations are reported (AM4116);
 * - rewrite.uri replaces what the uri match matched (Envoy prefix_rewrite): under one prefix match
 *   it is replacePrefixMatch, under exact or regex matches the whole path (replaceFullPath);
 *   `uriRegexRewrite {match: "/.*"}` (what the compile writes) is replaceFullPath, and
 *   uriRegexRewrite wins over uri in istiod.
 * The rewrite's path needs the rule's matches after the policy-wide parts are factored out, so it
 * is finished by `rewritePath` (import-routing.ts).
 */
import type { NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { REDIRECT_CODES } from '../../core/model/schema.js';
import type { IstioReader, Obj } from './import-reader.js';

/** A rewrite.uri waiting for the rule's matches. */
export interface PendingUri {
  readonly value: string;
  readonly path: FieldPath;
}

const HOST = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The neutral redirect of `http[i].redirect`, or undefined when it has none (reported). */
export function readRedirect(vs: NativeObject, base: FieldPath, r: IstioReader): Obj | undefined {
  const at = [...base, 'redirect'];
  const rd = r.ledger.peek<Obj>(vs, at) ?? {};
  r.rest(vs, at, ['uri', 'authority', 'port', 'derivePort', 'scheme', 'redirectCode'], 'redirect');
  const out: Obj = {};
  const fail = (field: string, why: string) => {
    r.lost(vs, [...at, field], why);
    return undefined;
  };
  // 0 and no code are Istio's 301 (route.go ApplyRedirect: `case 0, 301`).
  const code = rd.redirectCode === undefined || rd.redirectCode === 0 ? 301 : rd.redirectCode;
  if (!(REDIRECT_CODES as readonly unknown[]).includes(code))
    return fail(
      'redirectCode',
      `redirectCode ${JSON.stringify(code)}: istiod drops the route's action for it (it takes ${REDIRECT_CODES.join(', ')})`,
    );
  if (rd.redirectCode !== undefined) r.ledger.take(vs, [...at, 'redirectCode']);
  if (rd.scheme !== undefined) {
    if (rd.scheme !== 'http' && rd.scheme !== 'https')
      return fail('scheme', `scheme ${JSON.stringify(rd.scheme)}: a neutral redirect goes to http or https`);
    out.scheme = r.ledger.take(vs, [...at, 'scheme']);
  }
  if (rd.authority !== undefined) {
    if (typeof rd.authority !== 'string' || !HOST.test(rd.authority))
      return fail(
        'authority',
        `authority ${JSON.stringify(rd.authority)} is not a host name (a neutral redirect's host has no port: give it as port)`,
      );
    out.host = r.ledger.take(vs, [...at, 'authority']);
  }
  if (rd.port !== undefined) {
    if (typeof rd.port !== 'number' || rd.port < 1 || rd.port > 65535)
      return fail('port', `port ${JSON.stringify(rd.port)} is not a port number`);
    out.port = r.ledger.take(vs, [...at, 'port']);
    if (rd.derivePort !== undefined)
      r.lost(
        vs,
        [...at, 'derivePort'],
        'derivePort beside port: Istio takes one of them (the CRD allows one)',
      );
  } else derivePort(vs, at, rd, r);
  if (rd.uri !== undefined) {
    if (typeof rd.uri !== 'string' || !rd.uri.startsWith('/'))
      return fail('uri', `uri ${JSON.stringify(rd.uri)} is not a path (it starts with /)`);
    out.path = { replaceFullPath: r.ledger.take(vs, [...at, 'uri']) };
  }
  out.statusCode = code;
  if (
    out.scheme === undefined &&
    out.host === undefined &&
    out.port === undefined &&
    out.path === undefined
  ) {
    r.lost(vs, at, 'a redirect that changes nothing sends the caller back to the same URL (a loop)');
    return undefined;
  }
  return out;
}

function derivePort(vs: NativeObject, at: FieldPath, rd: Obj, r: IstioReader): void {
  const d = rd.derivePort;
  const path = [...at, 'derivePort'];
  const scheme = rd.scheme !== undefined;
  if (d === 'FROM_REQUEST_PORT') {
    r.ledger.take(vs, path);
    if (scheme)
      r.changed(
        vs,
        path,
        "FROM_REQUEST_PORT with a scheme keeps the request's port, while a neutral redirect that sets the scheme and no port goes to the scheme's well-known port (give redirect.port)",
      );
  } else if (d === 'FROM_PROTOCOL_DEFAULT' || d === undefined) {
    if (d !== undefined) r.ledger.take(vs, path);
    if (!scheme)
      r.changed(
        vs,
        d === undefined ? at : path,
        `${d === undefined ? 'no port or derivePort' : 'FROM_PROTOCOL_DEFAULT'} without a scheme: Envoy writes the Location with the port of the Host it has (none after an authority: 80), while a neutral redirect without port goes to the request's port (derivePort FROM_REQUEST_PORT says that)`,
      );
  } else r.lost(vs, path, `derivePort ${JSON.stringify(d)} is not one Istio knows`);
}

/**
 * The neutral rewrite of `http[i].rewrite` without its uri (finished by `rewritePath`), and the
 * uri waiting for the matches; undefined when nothing of it is imported.
 */
export function readRewrite(
  vs: NativeObject,
  base: FieldPath,
  r: IstioReader,
): { rewrite: Obj; uri?: PendingUri } | undefined {
  const at = [...base, 'rewrite'];
  const rw = r.ledger.peek<Obj>(vs, at);
  if (!rw) return undefined;
  r.rest(vs, at, ['uri', 'authority', 'uriRegexRewrite'], 'rewrite');
  const out: Obj = {};
  if (rw.authority !== undefined) {
    if (typeof rw.authority === 'string' && HOST.test(rw.authority))
      out.host = r.ledger.take(vs, [...at, 'authority']);
    else r.lost(vs, [...at, 'authority'], `authority ${JSON.stringify(rw.authority)} is not a host name`);
  }
  let uri: PendingUri | undefined;
  const regex = rw.uriRegexRewrite as Obj | undefined;
  if (regex !== undefined) {
    const rat = [...at, 'uriRegexRewrite'];
    r.rest(vs, rat, ['match', 'rewrite'], 'uriRegexRewrite');
    const to = regex.rewrite;
    // `/.*` matches the whole path (Envoy's regex rewrite replaces every match; `.*` also matches
    // the empty rest), and a substitution without \N references is the literal new path.
    if (regex.match === '/.*' && typeof to === 'string' && to.startsWith('/') && !/\\\d/.test(to)) {
      r.ledger.take(vs, rat);
      out.path = { replaceFullPath: to };
    } else
      r.lost(
        vs,
        rat,
        'a regex rewrite other than the whole path (match "/.*") to a fixed path: neutral rewrites replace the whole path or the matched prefix',
      );
    if (rw.uri !== undefined) r.lost(vs, [...at, 'uri'], 'istiod ignores uri when uriRegexRewrite is given');
  } else if (rw.uri !== undefined) {
    if (typeof rw.uri === 'string' && rw.uri.startsWith('/')) uri = { value: rw.uri, path: [...at, 'uri'] };
    else r.lost(vs, [...at, 'uri'], `uri ${JSON.stringify(rw.uri)} is not a path (it starts with /)`);
  }
  if (!Object.keys(out).length && !uri) return undefined;
  return { rewrite: out, ...(uri ? { uri } : {}) };
}

/**
 * The rewrite's uri under the rule's factored matches: the matched prefix of the one prefix
 * match, or the whole path under exact / regex matches; reported (left out) otherwise.
 */
export function rewritePath(
  vs: NativeObject,
  uri: PendingUri,
  matches: readonly Obj[] | undefined,
  r: IstioReader,
): Obj | undefined {
  const kinds = (matches ?? []).map((m) => Object.keys((m.path as Obj | undefined) ?? {})[0]);
  if (kinds.length === 1 && kinds[0] === 'prefix') {
    r.ledger.take(vs, uri.path);
    return { replacePrefixMatch: uri.value };
  }
  if (kinds.length && kinds.every((k) => k === 'exact' || k === 'regex')) {
    r.ledger.take(vs, uri.path);
    return { replaceFullPath: uri.value };
  }
  r.lost(
    vs,
    uri.path,
    kinds.length === 0 || kinds.includes(undefined)
      ? 'a uri rewrite on a route with an entry without a uri match (Envoy then replaces the leading /): a neutral prefix rewrite needs one prefix match'
      : 'a uri rewrite under several match entries with prefix matches: a neutral prefix rewrite needs exactly one prefix match entry',
  );
  return undefined;
}
