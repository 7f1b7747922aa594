/**
 * Inbound policy.linkerd.io HTTPRoutes (parentRef a Server) as neutral AccessPolicy operations:
 * methods x paths, with the match's header conditions (one operation per set of them), a
 * PathPrefix as the path and everything below it, anymesh's own anchored expressions back to
 * `/prefix/*` and `*suffix`. Matches an AccessPolicy cannot say (query parameters, other path
 * expressions, two conditions on one header) are left out, so the import admits less, never more.
 */
import type { NativeObject } from '../../core/import.js';
import { HTTP_METHODS } from '../../core/model/schema.js';
import { isHttpToken } from '../../core/model/semantic.js';
import { takeMetadata } from '../kit/import-kit.js';
import { readHeaderMatch } from '../kit/import-route-match.js';
import { LINKERD_ROUTES, type LinkerdReader, type Obj } from './import-reader.js';

/** Whether a match's header conditions can be neutral ones: readable, one per header name. */
function headersReadable(headers: unknown): boolean {
  if (headers === undefined) return true;
  if (!Array.isArray(headers)) return false;
  const names = new Set<string>();
  for (const h of headers as Obj[]) {
    if (h === null || typeof h !== 'object' || typeof h.name !== 'string' || !isHttpToken(h.name))
      return false;
    if (h.type !== undefined && h.type !== 'Exact' && h.type !== 'RegularExpression') return false;
    if (Object.keys(h).some((k) => k !== 'name' && k !== 'type' && k !== 'value')) return false;
    if (names.has(h.name.toLowerCase())) return false;
    names.add(h.name.toLowerCase());
  }
  return true;
}

type Operation = { methods?: string[]; paths?: string[]; headers?: Obj[] };

export function isInbound(o: NativeObject): boolean {
  const parents = ((o.object.spec as Obj | undefined)?.parentRefs as Obj[] | undefined) ?? [];
  return parents.length > 0 && parents.every((p) => p.kind === 'Server');
}

/** An inbound route path as a neutral access path (`*` for any), or undefined. */
export function accessPathOf(p: Obj | undefined): string[] | undefined {
  if (!p) return ['*'];
  const type = (p.type as string | undefined) ?? 'PathPrefix';
  const value = String(p.value ?? '/');
  if (type === 'Exact') return value.includes('*') ? undefined : [value];
  if (type === 'PathPrefix') {
    const base = value.length > 1 ? value.replace(/\/+$/, '') : value;
    return base === '/' ? ['*'] : [base, `${base}/*`];
  }
  if (type === 'RegularExpression') {
    const prefix = /^\^\(\?:(.*)\.\*\)\$$/.exec(value);
    const suffix = /^\^\(\?:\.\*(.*)\)\$$/.exec(value);
    const lit = (s: string) =>
      /[.+*?()|[\]{}^$]/.test(s.replace(/\\[\\.+*?()|[\]{}^$]/g, '')) ? undefined : s.replace(/\\(.)/g, '$1');
    if (prefix && lit(prefix[1]!) !== undefined) return [`${lit(prefix[1]!)}*`];
    if (suffix && lit(suffix[1]!) !== undefined) return [`*${lit(suffix[1]!)}`];
  }
  return undefined;
}

/** The operations an inbound route admits: methods x paths per header set, factored back into neutral entries. */
export function readInboundRoute(
  route: NativeObject,
  r: LinkerdReader,
  used: Set<NativeObject>,
): Operation[] | undefined {
  if (!used.has(route)) {
    used.add(route);
    takeMetadata(r.ledger, route);
    r.rest(route, ['spec'], ['parentRefs', 'rules'], 'inbound route');
    r.ledger.take(route, ['spec', 'parentRefs']);
  }
  // Per set of header conditions (in the order they came): path -> methods.
  const groups = new Map<string, { headers?: Obj[]; byPath: Map<string, Set<string>> }>();
  (r.ledger.peek<Obj[]>(route, ['spec', 'rules']) ?? []).forEach((rule, i) => {
    const at = ['spec', 'rules', i];
    r.rest(route, at, ['matches'], 'inbound route rule');
    const matches = (rule.matches as Obj[] | undefined) ?? [{}];
    matches.forEach((m, j) => {
      const mat = [...at, 'matches', j];
      const paths = accessPathOf(m.path as Obj | undefined);
      const method = m.method as string | undefined;
      const bad =
        !paths ||
        (method !== undefined && !(HTTP_METHODS as readonly string[]).includes(method)) ||
        Object.keys(m).some((k) => k !== 'path' && k !== 'method' && k !== 'headers') ||
        !headersReadable(m.headers);
      if (bad) {
        if (rule.matches)
          r.lost(
            route,
            mat,
            'a match with conditions an AccessPolicy cannot say (query parameters, other regular expressions, two conditions on one header); left out, so it admits less',
          );
        return;
      }
      const list = (m.headers as Obj[] | undefined) ?? [];
      const headers = list.map((_, k) => readHeaderMatch(route, [...mat, 'headers', k], r, LINKERD_ROUTES)!);
      if (rule.matches) r.ledger.take(route, mat);
      else r.ledger.take(route, at);
      const key = JSON.stringify(headers);
      const group = groups.get(key) ?? { ...(headers.length ? { headers } : {}), byPath: new Map() };
      groups.set(key, group);
      for (const p of paths) {
        const set = group.byPath.get(p) ?? new Set<string>();
        set.add(method ?? '*');
        group.byPath.set(p, set);
      }
    });
  });
  if (!groups.size) return undefined;
  return [...groups.values()].flatMap((g) =>
    factored(g.byPath).map((e) => ({ ...e, ...(g.headers ? { headers: g.headers } : {}) })),
  );
}

/** Paths with the same methods share an entry, in the order they came. */
function factored(byPath: Map<string, Set<string>>): Operation[] {
  const out: Operation[] = [];
  const keyOf = (s: Set<string>) => (s.has('*') ? '*' : [...s].join(','));
  for (const [path, set] of byPath) {
    const key = keyOf(set);
    const methods = key === '*' ? undefined : [...set];
    let entry = out.find((e) => (e.methods?.join(',') ?? '*') === key);
    if (!entry) {
      entry = { ...(methods ? { methods } : {}) };
      out.push(entry);
    }
    if (path !== '*') entry.paths = [...(entry.paths ?? []), path];
    else entry.paths = undefined;
  }
  return out.map((e) => ({
    ...(e.methods ? { methods: e.methods } : {}),
    ...(e.paths ? { paths: e.paths } : {}),
  }));
}
