/**
 * Inbound policy.linkerd.io HTTPRoutes (parentRef a Server) as neutral AccessPolicy operations:
 * methods x paths, a PathPrefix as the path and everything below it, anymesh's own anchored
 * expressions back to `/prefix/*` and `*suffix`. Matches an AccessPolicy cannot say (headers,
 * query parameters, other expressions) are left out, so the import admits less, never more.
 */
import type { NativeObject } from '../../core/import.js';
import { HTTP_METHODS } from '../../core/model/schema.js';
import { takeMetadata } from '../kit/import-kit.js';
import type { LinkerdReader, Obj } from './import-reader.js';

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

/** The operations an inbound route admits: methods x paths, factored back into neutral entries. */
export function readInboundRoute(
  route: NativeObject,
  r: LinkerdReader,
  used: Set<NativeObject>,
): { methods?: string[]; paths?: string[] }[] | undefined {
  if (!used.has(route)) {
    used.add(route);
    takeMetadata(r.ledger, route);
    r.rest(route, ['spec'], ['parentRefs', 'rules'], 'inbound route');
    r.ledger.take(route, ['spec', 'parentRefs']);
  }
  const byPath = new Map<string, Set<string>>();
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
        Object.keys(m).some((k) => k !== 'path' && k !== 'method');
      if (bad) {
        if (rule.matches)
          r.lost(
            route,
            mat,
            'a match with conditions an AccessPolicy cannot say (headers, query parameters, other regular expressions); left out, so it admits less',
          );
        return;
      }
      if (rule.matches) r.ledger.take(route, mat);
      else r.ledger.take(route, at);
      for (const p of paths) {
        const set = byPath.get(p) ?? new Set<string>();
        set.add(method ?? '*');
        byPath.set(p, set);
      }
    });
  });
  if (!byPath.size) return undefined;
  // Paths with the same methods share an entry, in the order they came.
  const out: { methods?: string[]; paths?: string[] }[] = [];
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
