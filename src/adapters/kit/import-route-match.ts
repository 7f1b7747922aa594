/**
 * Gateway API (and policy.linkerd.io) HTTPRoute matches and filters -> neutral matches, header
 * operations, redirects, rewrites, mirrors and CORS: the reverse of kit/gateway-api.ts, for every
 * mesh that reads Gateway API routes (Linkerd, Istio's ambient and Gateway API gateways), with
 * what differs between them in the mesh's RouteDialect.
 *
 * Meanings (Gateway API v1.6.1 HTTPRoute CRD, Linkerd's proxy, Istio's conversion): a path
 * without `type` is a PathPrefix, a header or query match without `type` is Exact; PathPrefix
 * matches whole path segments (`/api` matches `/api` and `/api/v1`, not `/apiv2`, and a trailing
 * `/` is ignored), so a hand-written PathPrefix becomes the neutral pair exact `/api` + prefix
 * `/api/`, which means exactly that; what anymesh wrote from a neutral prefix goes back to that
 * prefix. anymesh's own forms (anchored `^(?:re)$`, a header prefix `^<escaped>.*$`, presence
 * `.*`) come back as what they were written from.
 */
import type { NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { formatDuration } from '../../core/model/duration.js';
import { HTTP_METHODS, REDIRECT_CODES } from '../../core/model/schema.js';
import type { RouteDialect } from './import-route-dialect.js';
import type { NativeReader, Obj } from './native-reader.js';

/** Reverses kit escapeRegex when the text is nothing but an escaped literal. */
function unescapeLiteral(text: string): string | undefined {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const n = text[i + 1];
      if (n === undefined || !/[\\.+*?()|[\]{}^$]/.test(n)) return undefined;
      out += n;
      i++;
    } else if (/[.+*?()|[\]{}^$]/.test(c)) return undefined;
    else out += c;
  }
  return out;
}

/** A whole-value regular expression in neutral form, and whether Linkerd's reading differs. */
function wholeRegex(value: string): { regex: string; unanchored: boolean } {
  const anchored = /^\^\(\?:(.*)\)\$$/s.exec(value);
  if (anchored) return { regex: anchored[1]!, unanchored: false };
  if (value.startsWith('^') && value.endsWith('$') && !value.endsWith('\\$'))
    return { regex: value.slice(1, -1), unanchored: false };
  return { regex: value, unanchored: true };
}

type Kind = 'header' | 'query';

/** A header or query parameter condition, or undefined (reported). */
function valueMatch(
  o: NativeObject,
  at: FieldPath,
  r: NativeReader,
  d: RouteDialect,
  kind: Kind,
): Obj | undefined {
  const m = r.ledger.peek<Obj>(o, at)!;
  r.rest(o, at, ['name', 'type', 'value'], kind === 'header' ? 'header match' : 'query parameter match');
  const name = m.name as string;
  const type = (m.type as string | undefined) ?? 'Exact';
  const value = String(m.value ?? '');
  if (type === 'Exact') {
    r.ledger.take(o, at);
    return { name, exact: value };
  }
  if (type !== 'RegularExpression') {
    r.lost(o, at, `match type ${type} is not one ${d.mesh} reads`);
    return undefined;
  }
  if (value === '.*') {
    r.ledger.take(o, at);
    return { name, present: true };
  }
  const prefix = kind === 'header' ? /^\^(.*)\.\*\$$/s.exec(value) : null;
  const literal = prefix ? unescapeLiteral(prefix[1]!) : undefined;
  if (literal !== undefined && literal.length > 0) {
    r.ledger.take(o, at);
    return { name, prefix: literal };
  }
  const { regex, unanchored } = wholeRegex(value);
  if (unanchored && !d.wholeValueRegex)
    r.changed(
      o,
      [...at, 'value'],
      `neutral regular expressions match the whole value; Gateway API leaves open whether ${JSON.stringify(value)} must match all of it or part of it`,
    );
  r.ledger.take(o, at);
  return { name, regex };
}

/** One HTTPHeaderMatch -> a neutral header condition, or undefined (reported). */
export function readHeaderMatch(
  o: NativeObject,
  at: FieldPath,
  r: NativeReader,
  d: RouteDialect,
): Obj | undefined {
  return valueMatch(o, at, r, d, 'header');
}

/**
 * One HTTPRoute match entry -> neutral match entries (a hand-written PathPrefix gives two).
 * `ownPrefix`: the object is anymesh's own output, whose PathPrefix came from a neutral prefix.
 */
export function readMatch(
  o: NativeObject,
  at: FieldPath,
  r: NativeReader,
  d: RouteDialect,
  ownPrefix: boolean,
): Obj[] | undefined {
  r.rest(o, at, ['path', 'headers', 'queryParams', 'method'], 'match');
  const m = r.ledger.peek<Obj>(o, at)!;
  const base: Obj = {};
  let paths: Obj[] = [{}];
  let ok = true;
  if (m.path !== undefined) {
    const p = m.path as Obj;
    r.rest(o, [...at, 'path'], ['type', 'value'], 'path match');
    const type = (p.type as string | undefined) ?? 'PathPrefix';
    const value = String(p.value ?? '/');
    if (type === 'Exact') paths = [{ path: { exact: value } }];
    else if (type === 'PathPrefix') {
      const trimmed = value.length > 1 ? value.replace(/\/+$/, '') : value;
      if (ownPrefix) paths = [{ path: { prefix: value } }];
      else if (trimmed === '/') paths = [{}];
      else paths = [{ path: { exact: trimmed } }, { path: { prefix: `${trimmed}/` } }];
    } else if (type === 'RegularExpression') {
      const { regex, unanchored } = wholeRegex(value);
      if (unanchored && !d.wholeValueRegex)
        r.changed(
          o,
          [...at, 'path', 'value'],
          `neutral path expressions match the whole path; Gateway API leaves open whether ${JSON.stringify(value)} must match all of it or part of it`,
        );
      paths = [{ path: { regex } }];
    } else {
      r.lost(o, [...at, 'path'], `path match type ${type} is not one ${d.mesh} reads`);
      ok = false;
    }
    if (ok) r.ledger.take(o, [...at, 'path']);
  }
  if (m.method !== undefined) {
    if ((HTTP_METHODS as readonly string[]).includes(m.method as string)) {
      r.ledger.take(o, [...at, 'method']);
      base.method = m.method;
    } else {
      r.lost(o, [...at, 'method'], `method ${m.method} is not an HTTP method the neutral model names`);
      ok = false;
    }
  }
  for (const [field, kind] of [
    ['headers', 'header'],
    ['queryParams', 'query'],
  ] as const) {
    const list = (m[field] as Obj[] | undefined) ?? [];
    const out: Obj[] = [];
    list.forEach((_, i) => {
      const v = valueMatch(o, [...at, field, i], r, d, kind);
      if (v) out.push(v);
      else ok = false;
    });
    if (list.length === 0 && m[field] !== undefined) r.ledger.take(o, [...at, field]);
    if (out.length) base[field] = out;
  }
  // A condition left out would widen the match; the entry is left out whole instead.
  if (!ok) {
    r.lost(o, at, 'a condition of this match has no neutral form (above), so the match entry is left out');
    return undefined;
  }
  // Every condition is accounted for above; an empty entry (every request) is taken here.
  r.ledger.take(o, at);
  return paths.map((p) => ({ ...p, ...base }));
}

/** A list of `{name, value}` pairs as a neutral header map. */
function pairs(list: unknown): Record<string, string> {
  return Object.fromEntries(
    ((list as Obj[] | undefined) ?? []).map((h) => [String(h.name), String(h.value)]),
  );
}

/** How a rule's filters are read: the mesh, and what the rule around them says. */
export interface FilterContext {
  readonly dialect: RouteDialect;
  /** The route is a policy.linkerd.io one (its ResponseHeaderModifier applies to the request). */
  readonly swapsResponse: boolean;
  /** The object is anymesh's own output, whose PathPrefix came from a neutral prefix. */
  readonly ownPrefix: boolean;
  /** A backendRef (of a mirror) as a neutral backend, or undefined (reported). */
  backend(ref: Obj, at: FieldPath): Obj | undefined;
}

/**
 * The filters of a rule -> requestHeaders / responseHeaders, redirect, and where the mesh applies
 * them (RouteDialect.filters) mirror, rewrite and cors; other filters are reported (Linkerd
 * refuses RequestMirror, URLRewrite and ExtensionRef on outbound routes, http.rs
 * convert_gateway_filter; Istio refuses filter types it does not convert, conversion.go
 * convertHTTPRoute). With `swapsResponse` (a policy.linkerd.io route) a ResponseHeaderModifier is
 * applied to the request (http.rs convert_linkerd_filter maps it to Filter::RequestHeaderModifier).
 */
export function readFilters(o: NativeObject, at: FieldPath, r: NativeReader, fc: FilterContext): Obj {
  const out: Obj = {};
  const once = (field: string, fat: FieldPath, type: string, value: Obj | undefined) => {
    if (!value) return;
    if (out[field]) {
      r.lost(o, fat, `a second ${type} filter; a neutral rule has one ${field}`);
      return;
    }
    out[field] = value;
  };
  (r.ledger.peek<Obj[]>(o, at) ?? []).forEach((f, i) => {
    const fat = [...at, i];
    const type = f.type as string;
    const which =
      type === 'RequestHeaderModifier'
        ? ['requestHeaderModifier', 'requestHeaders']
        : type === 'ResponseHeaderModifier'
          ? ['responseHeaderModifier', 'responseHeaders']
          : undefined;
    if (type === 'RequestRedirect') return once('redirect', fat, type, readRedirect(o, fat, r, fc.ownPrefix));
    const applied = (fc.dialect.filters as ReadonlySet<string>).has(type);
    if (applied && type === 'RequestMirror') return once('mirror', fat, type, readMirror(o, fat, r, fc));
    if (applied && type === 'URLRewrite')
      return once('rewrite', fat, type, readRewrite(o, fat, r, fc.ownPrefix));
    if (applied && type === 'CORS') return once('cors', fat, type, readCors(o, fat, r));
    if (!which) {
      r.lost(o, fat, fc.dialect.refusedFilter(type));
      return;
    }
    const [field, target] = which as [string, string];
    r.rest(o, fat, ['type', field], 'filter');
    r.rest(o, [...fat, field], ['set', 'add', 'remove'], 'header modifier');
    const mod = (f[field] as Obj | undefined) ?? {};
    const ops: Obj = {};
    if (mod.set) ops.set = pairs(mod.set);
    if (mod.add) ops.add = pairs(mod.add);
    if (mod.remove) ops.remove = mod.remove;
    if (!Object.keys(ops).length) {
      r.lost(o, fat, 'a header modifier without operations');
      return;
    }
    if (out[target]) {
      r.lost(o, fat, `a second ${type} filter; a neutral rule has one set of ${target}`);
      return;
    }
    for (const k of ['type', field]) r.ledger.take(o, [...fat, k]);
    if (fc.swapsResponse && type === 'ResponseHeaderModifier')
      r.changed(
        o,
        fat,
        'Linkerd applies the ResponseHeaderModifier of a policy.linkerd.io HTTPRoute to the request (policy-controller http.rs convert_linkerd_filter); imported as the response change it says',
      );
    out[target] = ops;
  });
  return out;
}

/**
 * A RequestMirror filter -> the neutral `mirror`: its backendRef is a backend like a rule's, its
 * share `percent`, or `fraction` (numerator / denominator, denominator 100 by default), or 100%
 * when neither is given (HTTPRequestMirrorFilter).
 */
function readMirror(o: NativeObject, at: FieldPath, r: NativeReader, fc: FilterContext): Obj | undefined {
  const f = r.ledger.peek<Obj>(o, at) ?? {};
  r.rest(o, at, ['type', 'requestMirror'], 'filter');
  r.rest(o, [...at, 'requestMirror'], ['backendRef', 'percent', 'fraction'], 'RequestMirror');
  const m = (f.requestMirror as Obj | undefined) ?? {};
  const backend = m.backendRef
    ? fc.backend(m.backendRef as Obj, [...at, 'requestMirror', 'backendRef'])
    : undefined;
  if (!backend) {
    if (!m.backendRef) r.lost(o, at, 'a RequestMirror without a backendRef mirrors nowhere');
    return undefined;
  }
  const fraction = m.fraction as Obj | undefined;
  const percentage =
    m.percent !== undefined
      ? Number(m.percent)
      : fraction
        ? (100 * Number(fraction.numerator)) / Number(fraction.denominator ?? 100)
        : 100;
  if (!Number.isFinite(percentage) || percentage < 0 || percentage > 100) {
    r.lost(o, at, `a mirrored share of ${percentage}% is not a percentage`);
    return undefined;
  }
  for (const k of ['type', ['requestMirror', 'percent'], ['requestMirror', 'fraction']])
    r.ledger.take(o, [...at, ...(Array.isArray(k) ? k : [k])]);
  return { backend, ...(percentage !== 100 ? { percentage } : {}) };
}

/** A URLRewrite filter -> the neutral `rewrite` (hostname is `host`), or undefined (reported). */
function readRewrite(o: NativeObject, at: FieldPath, r: NativeReader, ownPrefix: boolean): Obj | undefined {
  const f = r.ledger.peek<Obj>(o, at) ?? {};
  const rw = (f.urlRewrite as Obj | undefined) ?? {};
  const why = (reason: string) => {
    r.lost(
      o,
      at,
      `a rewrite ${reason}; imported without it the request would reach the backend changed otherwise`,
    );
    return undefined;
  };
  const unknown = [
    ...Object.keys(f).filter((k) => k !== 'type' && k !== 'urlRewrite'),
    ...Object.keys(rw).filter((k) => k !== 'hostname' && k !== 'path'),
  ];
  if (unknown.length) return why(`with ${unknown.join(', ')}, which has no neutral form`);
  const out: Obj = {};
  if (rw.hostname !== undefined) out.host = rw.hostname;
  if (rw.path !== undefined) {
    const path = readPathModifier(o, at, r, rw.path as Obj, ownPrefix);
    if (typeof path === 'string') return why(path);
    out.path = path;
  }
  if (!Object.keys(out).length) return why('that changes nothing');
  r.ledger.take(o, at);
  return out;
}

/**
 * A CORS filter -> the neutral `cors` (HTTPCORSFilter): origins are exact unless they hold a `*`
 * (a Gateway API wildcard, which a neutral exact origin is not: such an origin is reported and
 * left out), maxAge is whole seconds, allowMethods are methods (a `*` is reported).
 */
function readCors(o: NativeObject, at: FieldPath, r: NativeReader): Obj | undefined {
  const f = r.ledger.peek<Obj>(o, at) ?? {};
  r.rest(o, at, ['type', 'cors'], 'filter');
  const c = (f.cors as Obj | undefined) ?? {};
  const cat = [...at, 'cors'];
  r.rest(
    o,
    cat,
    ['allowOrigins', 'allowMethods', 'allowHeaders', 'exposeHeaders', 'maxAge', 'allowCredentials'],
    'CORS',
  );
  const origins: Obj[] = [];
  ((c.allowOrigins as unknown[] | undefined) ?? []).forEach((origin, i) => {
    if (typeof origin === 'string' && !origin.includes('*')) {
      origins.push({ exact: origin });
      r.ledger.take(o, [...cat, 'allowOrigins', i]);
    } else
      r.lost(
        o,
        [...cat, 'allowOrigins', i],
        `origin ${JSON.stringify(origin)} is a wildcard, which a neutral exact origin is not`,
      );
  });
  if (!origins.length) {
    r.lost(o, at, 'a CORS filter without an origin the neutral model can say allows no cross-origin call');
    return undefined;
  }
  const out: Obj = { allowOrigins: origins };
  const methods = (c.allowMethods as unknown[] | undefined) ?? [];
  const known = methods.filter((m): m is string => (HTTP_METHODS as readonly unknown[]).includes(m));
  methods.forEach((m, i) => {
    if (known.includes(m as string)) r.ledger.take(o, [...cat, 'allowMethods', i]);
    else
      r.lost(
        o,
        [...cat, 'allowMethods', i],
        `method ${JSON.stringify(m)} is not an HTTP method the neutral model names`,
      );
  });
  if (known.length) out.allowMethods = known;
  for (const k of ['allowHeaders', 'exposeHeaders'])
    if (Array.isArray(c[k]) && (c[k] as unknown[]).length) {
      out[k] = (c[k] as unknown[]).map(String);
      r.ledger.take(o, [...cat, k]);
    }
  if (typeof c.maxAge === 'number' && c.maxAge > 0) {
    out.maxAge = formatDuration(c.maxAge * 1000);
    r.ledger.take(o, [...cat, 'maxAge']);
  }
  if (typeof c.allowCredentials === 'boolean') {
    out.allowCredentials = c.allowCredentials;
    r.ledger.take(o, [...cat, 'allowCredentials']);
  }
  r.ledger.take(o, [...at, 'type']);
  return out;
}

/** The header conditions at `at` (a list), or undefined when one has no neutral form. */
export function readHeaderList(
  o: NativeObject,
  at: FieldPath,
  r: NativeReader,
  d: RouteDialect,
): Obj[] | undefined {
  const out: Obj[] = [];
  let ok = true;
  (r.ledger.peek<Obj[]>(o, at) ?? []).forEach((_, i) => {
    const v = valueMatch(o, [...at, i], r, d, 'header');
    if (v) out.push(v);
    else ok = false;
  });
  return ok ? out : undefined;
}

/**
 * A RequestRedirect filter -> the neutral `redirect` (Gateway API words: hostname is `host`, the
 * path modifier names its type: readPathModifier). Linkerd honours every field of it
 * (policy-controller k8s/index/src/routes/http.rs `req_redirect`: scheme, hostname, path, port,
 * statusCode), as Istio does (conversion.go createRedirectFilter), and the compile writes it back
 * the same way (kit/gateway-api.ts redirectFilter). Undefined when the redirect cannot be imported
 * whole: a redirect imported without one of its parts would send callers elsewhere.
 */
function readRedirect(o: NativeObject, at: FieldPath, r: NativeReader, ownPrefix: boolean): Obj | undefined {
  const f = r.ledger.peek<Obj>(o, at) ?? {};
  const rd = (f.requestRedirect as Obj | undefined) ?? {};
  const unknown = [
    ...Object.keys(f).filter((k) => k !== 'type' && k !== 'requestRedirect'),
    ...Object.keys(rd).filter((k) => !['scheme', 'hostname', 'path', 'port', 'statusCode'].includes(k)),
  ];
  const why = (reason: string) => {
    r.lost(o, at, `a redirect ${reason}; imported without it the redirect would send callers elsewhere`);
    return undefined;
  };
  if (unknown.length) return why(`with ${unknown.join(', ')}, which has no neutral form`);
  // A neutral rule with a redirect has no backends (it answers the caller).
  const refs = r.ledger.peek<unknown[]>(o, [...at.slice(0, -2), 'backendRefs']);
  if (refs?.length)
    return why('on a rule that also has backendRefs (a neutral rule that redirects has no backends)');
  const out: Obj = {};
  if (rd.scheme !== undefined) {
    if (rd.scheme !== 'http' && rd.scheme !== 'https')
      return why(`to scheme ${String(rd.scheme)} (neutral: http or https)`);
    out.scheme = rd.scheme;
  }
  if (rd.hostname !== undefined) out.host = rd.hostname;
  if (rd.port !== undefined) out.port = rd.port;
  if (rd.statusCode !== undefined) {
    if (!(REDIRECT_CODES as readonly unknown[]).includes(rd.statusCode))
      return why(`with status ${String(rd.statusCode)} (neutral: one of ${REDIRECT_CODES.join(', ')})`);
    // 302 is the default of both Gateway API and the neutral redirect: the same redirect either way.
    if (rd.statusCode !== 302) out.statusCode = rd.statusCode;
  }
  if (rd.path !== undefined) {
    const path = readPathModifier(o, at, r, rd.path as Obj, ownPrefix);
    if (typeof path === 'string') return why(path);
    out.path = path;
  }
  r.ledger.take(o, at);
  return out;
}

/**
 * An HTTPPathModifier -> the neutral path change, or why it cannot be imported. A
 * ReplacePrefixMatch needs the rule's one match to be a path prefix (Gateway API, and the neutral
 * rule); a hand-written PathPrefix imports as two neutral entries (readMatch: exact /p and prefix
 * /p/, whole segments), or as none for `/`, so only anymesh's own (one neutral prefix) keeps it.
 */
function readPathModifier(
  o: NativeObject,
  at: FieldPath,
  r: NativeReader,
  path: Obj,
  ownPrefix: boolean,
): Obj | string {
  const unknownPath = Object.keys(path).filter(
    (k) => !['type', 'replaceFullPath', 'replacePrefixMatch'].includes(k),
  );
  if (unknownPath.length) return `path with ${unknownPath.join(', ')}, which has no neutral form`;
  if (path.type === 'ReplaceFullPath' && typeof path.replaceFullPath === 'string')
    return { replaceFullPath: path.replaceFullPath };
  if (path.type === 'ReplacePrefixMatch' && typeof path.replacePrefixMatch === 'string') {
    const matches = r.ledger.peek<Obj[]>(o, [...at.slice(0, -2), 'matches']) ?? [];
    const prefix = matches.length === 1 && (matches[0]?.path as Obj | undefined)?.type === 'PathPrefix';
    if (!prefix)
      return 'replacing a path prefix on a rule whose one match is not a path prefix (Gateway API requires one)';
    if (!ownPrefix)
      return 'replacing a path prefix: the PathPrefix match imports as whole path segments (exact /p and prefix /p/, or any path for /), and a neutral replacePrefixMatch needs the rule to have one prefix match; write two rules by hand (replaceFullPath for the exact path, replacePrefixMatch for the prefix /p/)';
    return { replacePrefixMatch: path.replacePrefixMatch };
  }
  return `path of type ${String(path.type)} without its ${String(path.type)} value`;
}
