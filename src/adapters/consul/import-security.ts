/**
 * Consul security -> neutral: ServiceIntentions -> AccessPolicies, `mutualTLSMode` of ServiceDefaults
 * and of ProxyDefaults `global` -> MTLSPolicies.
 *
 * Intentions (developer.hashicorp.com/consul/docs/connect/config-entries/service-intentions and
 * connect/intentions "Precedence and match order", v1.16): one entry per destination; a source is
 * a calling service (`*` for any: every authenticated caller, `from[].authenticated`); its
 * `action`, or its `permissions` evaluated in order, first match wins, and a request no permission
 * matches falls to the ACL default policy, not to less specific sources. The neutral model checks
 * deny policies first, then allow policies, and an allow policy is exclusive (callers and
 * operations not listed are denied). So, per source: leading deny
 * permissions are deny operations, then allow permissions are allow operations, and a closing deny
 * of every path (with a `*` deny source for other callers) is what makes an allow list exclusive.
 * A deny after an allow, allows without the closing deny and allow sources without the `*` deny
 * are reported (AM4361): the neutral form would decide some requests differently.
 *
 * What anymesh compiled (`anymesh.dev/source-policies`, and each source's description naming its
 * policies) is split back into those policies; other entries give one policy per action and set
 * of operations.
 */
import { makeDiagnostic } from '../../core/diagnostics.js';
import type { ImportedPolicy, NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { HTTP_METHODS } from '../../core/model/schema.js';
import { isHttpToken } from '../../core/model/semantic.js';
import { neutralMetadata, neutralPolicy } from '../kit/import-kit.js';
import { type ConsulReader, isKind, type Obj, refOf, sameNamespace } from './import-reader.js';
import { readHeaderCondition } from './import-route.js';
import { consulMessages } from './messages.js';

type Op = { methods?: string[]; paths?: string[]; headers?: Obj[] };

/** One intention source as the neutral model reads it. */
interface Source {
  readonly name: string;
  /** The caller's namespace when it is not the entry's (Enterprise). */
  readonly namespace?: string;
  readonly at: FieldPath;
  /** undefined: no such part; 'all': every request. */
  readonly deny?: Op[] | 'all';
  readonly allow?: Op[] | 'all';
  /** The policies anymesh named in the description. */
  readonly refs: string[];
  /** The source `*` (Enterprise: in namespace `*`): every caller, each with a mesh identity. */
  readonly authenticated?: boolean;
}

const ANYMESH = 'anymesh: ';
const WILDCARD_NOTE = 'anymesh: callers not allowed by an allow AccessPolicy are denied';

export function importIntentions(
  objects: readonly NativeObject[],
  r: ConsulReader,
  http: Set<string>,
): ImportedPolicy[] {
  const out: ImportedPolicy[] = [];
  const names = new Set<string>();
  for (const o of objects.filter((x) => isKind(x, 'ServiceIntentions')))
    out.push(...importEntry(o, r, http, names));
  if (names.size)
    r.ledger.note(
      makeDiagnostic(consulMessages.ImportServiceIdentity, { names: [...names].sort().join(', ') }, {}),
    );
  return out;
}

function importEntry(
  o: NativeObject,
  r: ConsulReader,
  http: Set<string>,
  names: Set<string>,
): ImportedPolicy[] {
  r.meta(o);
  r.rest(o, ['spec'], ['destination', 'sources'], 'ServiceIntentions');
  r.rest(o, ['spec', 'destination'], ['name', 'namespace'], 'destination');
  const service = r.ledger.peek<string>(o, ['spec', 'destination', 'name']);
  const dns = r.ledger.peek<string>(o, ['spec', 'destination', 'namespace']);
  if (!service || service === '*') {
    r.lost(
      o,
      ['spec'],
      service === '*'
        ? 'intentions for every destination (name *), e.g. a mesh-wide default deny: neutral AccessPolicies govern one service each, and one with an allow policy denies other callers anyway'
        : 'intentions without a destination',
    );
    return [];
  }
  if (!sameNamespace(r, o, dns)) {
    r.lost(
      o,
      ['spec', 'destination', 'namespace'],
      `destination namespace ${dns}: a neutral policy governs a service of its own namespace`,
    );
    return [];
  }
  r.ledger.take(o, ['spec', 'destination']);
  const list = r.ledger.peek<Obj[]>(o, ['spec', 'sources']) ?? [];
  const sources: Source[] = [];
  let wildcardDeny: FieldPath | undefined;
  let wildcardAllow: FieldPath | undefined;
  list.forEach((s, i) => {
    const at: FieldPath = ['spec', 'sources', i];
    r.rest(
      o,
      at,
      [
        'name',
        'namespace',
        'partition',
        'peer',
        'samenessGroup',
        'action',
        'permissions',
        'description',
        'precedence',
        'type',
        'legacyID',
        'legacyMeta',
        'legacyCreateTime',
        'legacyUpdateTime',
      ],
      'source',
    );
    // What the API adds when it reads an entry back is bookkeeping, not configuration.
    for (const f of ['precedence', 'type', 'legacyID', 'legacyMeta', 'legacyCreateTime', 'legacyUpdateTime'])
      if (s[f] !== undefined) r.ledger.take(o, [...at, f]);
    for (const f of ['partition', 'peer', 'samenessGroup'] as const) {
      const v = s[f];
      if (v === undefined) continue;
      if (v === '' || (f === 'partition' && v === 'default')) r.ledger.take(o, [...at, f]);
      else {
        r.lost(o, at, `a source in ${f} ${String(v)}: neutral callers are service accounts of this cluster`);
        return;
      }
    }
    const ns = s.namespace as string | undefined;
    if (ns !== undefined && !(r.options.enterprise ? true : sameNamespace(r, o, ns))) {
      r.lost(
        o,
        [...at, 'namespace'],
        `source namespace ${ns} needs Consul Enterprise (set consul.enterprise=true)`,
      );
      return;
    }
    if (ns !== undefined) r.ledger.take(o, [...at, 'namespace']);
    const name = String(s.name ?? '');
    const description = s.description as string | undefined;
    const refs =
      description?.startsWith(ANYMESH) && description !== WILDCARD_NOTE
        ? description.slice(ANYMESH.length).split(', ')
        : [];
    if (description !== undefined) {
      if (description.startsWith(ANYMESH)) r.ledger.take(o, [...at, 'description']);
      else r.lost(o, [...at, 'description'], 'a description is a comment the neutral model has no field for');
    }
    const parsed = readSource(o, at, r);
    if (!parsed) return;
    // On Enterprise a source names a Consul namespace, the caller's Kubernetes namespace with
    // mirroring; `*` in one namespace is every caller there.
    const callerNs = r.options.enterprise && ns && ns !== '*' && ns !== o.namespace ? ns : undefined;
    if (name === '*' && r.options.enterprise && ns && ns !== '*') {
      r.ledger.take(o, [...at, 'name']);
      sources.push({ name, namespace: ns, at, refs, ...parsed });
      return;
    }
    if (name === '*') {
      r.ledger.take(o, [...at, 'name']);
      // A plain deny of every other caller is what makes the allow sources exclusive (anymesh
      // writes it with WILDCARD_NOTE); one a deny policy wrote names it.
      if (parsed.deny === 'all' && !parsed.allow && !refs.length) {
        wildcardDeny = at;
        return;
      }
      if (parsed.allow === 'all' && !parsed.deny) wildcardAllow = at;
      // Every caller: each has a mesh identity in Consul, so it is every authenticated caller.
      sources.push({ name, at, refs, authenticated: true, ...parsed });
      return;
    }
    r.ledger.take(o, [...at, 'name']);
    names.add(name);
    sources.push({ name, ...(callerNs ? { namespace: callerNs } : {}), at, refs, ...parsed });
  });
  const anyAllow = sources.some((s) => s.allow);
  // Every caller allowed everything: a specific source allowed less (its permissions) is that
  // much narrower in Consul, where it outranks the wildcard, while neutral allows are a union.
  if (wildcardAllow)
    for (const s of sources)
      if (!s.authenticated && Array.isArray(s.allow))
        r.changed(
          o,
          [...s.at, 'permissions'],
          `source * allows every caller every request, so the imported allow of every authenticated caller also allows ${s.name} what these permissions do not (in Consul the exact source outranks *)`,
        );
  // Callers not listed are no field of the entry: what happens to them is said once, at the
  // sources, without marking the imported fields as lost (the source * takes every caller).
  if (anyAllow && !wildcardDeny && !sources.some((s) => s.authenticated))
    r.ledger.note(
      makeDiagnostic(
        consulMessages.ImportMeaningChanges,
        {
          how: `no source * with action deny for ${service}: callers not listed fall to the ACL default policy (deny when ACLs are on with default_policy deny), while the imported allow policies deny them`,
        },
        { location: o.locate(['spec', 'sources']), policy: o.ref },
      ),
    );
  // Without an allowed source, a deny of every caller is a deny of every authenticated one.
  if (wildcardDeny && !anyAllow)
    sources.push({ name: '*', at: wildcardDeny, refs: [], authenticated: true, deny: 'all' });
  // L7 only with permissions (operations): a source's plain action is L4, for which the Consul
  // compile writes no protocol (security.ts: httpService only for L7 intentions).
  if (sources.some((s) => Array.isArray(s.allow) || Array.isArray(s.deny)))
    http.add(`${o.namespace}/${service}`);
  return policiesOf(o, service, sources, r);
}

/** A source's action or permissions as deny and allow parts; undefined when left out (reported). */
function readSource(
  o: NativeObject,
  at: FieldPath,
  r: ConsulReader,
): Pick<Source, 'deny' | 'allow'> | undefined {
  const action = r.ledger.peek<string>(o, [...at, 'action']);
  const perms = r.ledger.peek<Obj[]>(o, [...at, 'permissions']);
  if (action !== undefined && action !== '') {
    r.ledger.take(o, [...at, 'action']);
    if (perms?.length)
      r.lost(o, [...at, 'permissions'], 'permissions beside an action (Consul refuses both)');
    else if (perms) r.ledger.take(o, [...at, 'permissions']);
    return action === 'deny' ? { deny: 'all' } : { allow: 'all' };
  }
  if (action === '') r.ledger.take(o, [...at, 'action']);
  if (!perms?.length) {
    r.lost(o, at, 'a source without an action or permissions');
    return undefined;
  }
  const deny: Op[] = [];
  const allow: Op[] = [];
  let allowAll = false;
  let closed = false;
  let seenAllow = false;
  perms.forEach((p, j) => {
    const pat: FieldPath = [...at, 'permissions', j];
    r.rest(o, pat, ['action', 'http'], 'permission');
    const act = p.action as string;
    const op = readOperation(o, [...pat, 'http'], r, act === 'allow');
    r.ledger.take(o, [...pat, 'action']);
    if (op === undefined) return;
    const everything =
      !op.methods &&
      !op.headers &&
      (op.paths === undefined || (op.paths.length === 1 && op.paths[0] === '*'));
    if (act === 'deny') {
      if (seenAllow && everything && j === perms.length - 1) {
        closed = true;
        return;
      }
      if (seenAllow)
        r.changed(
          o,
          pat,
          'a deny after an allow: Consul lets the earlier allow win for requests both match, while neutral deny policies win over allow policies (precedence)',
        );
      deny.push(op);
    } else {
      seenAllow = true;
      if (everything) allowAll = true;
      else allow.push(op);
    }
  });
  if (seenAllow && !closed && !allowAll)
    r.ledger.note(
      makeDiagnostic(
        consulMessages.ImportMeaningChanges,
        {
          how: 'allow permissions without a closing deny: requests no permission matches fall to the ACL default policy, while the imported allow policy denies them',
        },
        { location: o.locate([...at, 'permissions']), policy: o.ref },
      ),
    );
  const denyAll = deny.some((d) => !d.methods && !d.headers && (!d.paths || d.paths.includes('*')));
  return {
    ...(deny.length ? { deny: denyAll ? 'all' : deny } : {}),
    ...(seenAllow ? { allow: allowAll ? 'all' : allow } : {}),
  };
}

/** A permission's HTTP conditions as a neutral operation, or undefined (reported). */
function readOperation(o: NativeObject, at: FieldPath, r: ConsulReader, allow: boolean): Op | undefined {
  const h = r.ledger.peek<Obj>(o, at);
  if (!h) {
    r.lost(o, at.slice(0, -1), 'a permission without HTTP conditions (JWT only) has no neutral form');
    return undefined;
  }
  const extra = Object.keys(h).filter(
    (k) => !['pathExact', 'pathPrefix', 'pathRegex', 'methods', 'header'].includes(k),
  );
  let path: string | undefined;
  let bad: string | undefined;
  if (typeof h.pathExact === 'string' && h.pathExact) path = h.pathExact;
  else if (typeof h.pathPrefix === 'string' && h.pathPrefix)
    path = h.pathPrefix === '/' ? '*' : `${h.pathPrefix}*`;
  else if (typeof h.pathRegex === 'string' && h.pathRegex) {
    const m = /^\.\*((?:[^.*+?^${}()|[\]\\]|\\[.*+?^${}()|[\]\\])+)$/.exec(h.pathRegex);
    if (m) path = `*${m[1]!.replace(/\\(.)/g, '$1')}`;
    else
      bad = `path regex ${JSON.stringify(h.pathRegex)} is not a suffix (neutral paths are exact, /prefix/* or *suffix)`;
  }
  if (path !== undefined && !path.startsWith('/') && !path.startsWith('*'))
    bad = `path ${JSON.stringify(path)} does not start with /`;
  const methods = h.methods as string[] | undefined;
  if (methods?.some((m) => !(HTTP_METHODS as readonly string[]).includes(m)))
    bad = 'methods that are not HTTP methods';
  if (extra.length) bad = `conditions on ${extra.join(', ')} (JWT conditions have no neutral form)`;
  const headerBad = headersBad(h.header);
  if (headerBad) bad = headerBad;
  const headers: Obj[] = [];
  if (!bad)
    ((h.header as Obj[] | undefined) ?? []).forEach((_, k) => {
      const c = readHeaderCondition(o, [...at, 'header', k], r);
      if (c) headers.push(c);
      else bad = 'a header condition has no neutral form (above)';
    });
  if (bad) {
    // An allow imported without a condition would allow more, so it is left out; a deny without
    // one would deny more, which is reported the same way (the permission is left out).
    r.lost(o, at, `${bad}; the ${allow ? 'allow' : 'deny'} permission is left out`);
    return undefined;
  }
  r.ledger.take(o, at);
  return {
    ...(methods?.length ? { methods } : {}),
    ...(path !== undefined ? { paths: [path] } : {}),
    ...(headers.length ? { headers } : {}),
  };
}

/**
 * Why a permission's header conditions have no neutral form, or undefined: a neutral operation
 * has one condition per header (exact, prefix, regex, presence; a suffix is a regex), never an
 * inverted, substring or case-insensitive one.
 */
function headersBad(header: unknown): string | undefined {
  if (header === undefined) return undefined;
  if (!Array.isArray(header)) return 'header conditions that are not a list';
  const names = new Set<string>();
  for (const c of header as Obj[]) {
    if (c === null || typeof c !== 'object' || typeof c.name !== 'string' || !isHttpToken(c.name))
      return 'a header condition without a valid header name';
    if (c.contains !== undefined && c.contains !== '')
      return `a substring condition (contains) on header ${c.name}`;
    if (c.ignoreCase === true) return `a case-insensitive condition (ignoreCase) on header ${c.name}`;
    if (names.has(c.name.toLowerCase())) return `two conditions on header ${c.name}`;
    names.add(c.name.toLowerCase());
  }
  return undefined;
}

/** A source as a neutral caller: a service account (Consul names callers by service), or a namespace. */
function caller(s: Source): Obj {
  if (s.authenticated) return { authenticated: true };
  if (s.name === '*') return { namespace: s.namespace };
  return { ...(s.namespace ? { namespace: s.namespace } : {}), serviceAccount: s.name };
}

/** Consecutive operations with the same methods and headers and a path each are one operation with the paths. */
function joinOps(ops: readonly Op[]): Op[] {
  const out: Op[] = [];
  for (const op of ops) {
    const prev = out[out.length - 1];
    if (
      prev?.paths &&
      op.paths &&
      JSON.stringify(prev.methods) === JSON.stringify(op.methods) &&
      JSON.stringify(prev.headers) === JSON.stringify(op.headers)
    )
      prev.paths = [...prev.paths, ...op.paths];
    else out.push({ ...op, ...(op.paths ? { paths: [...op.paths] } : {}) });
  }
  return out;
}

function policiesOf(
  o: NativeObject,
  service: string,
  sources: readonly Source[],
  r: ConsulReader,
): ImportedPolicy[] {
  const own = r.sources(o, 'AccessPolicy').map(refOf);
  const split = own.length ? splitByProvenance(o, service, sources, own) : undefined;
  if (split) return split;
  // Group callers by action and operations: one policy each, named after the entry.
  const groups = new Map<string, { action: string; to?: Op[]; from: Obj[] }>();
  for (const s of sources)
    for (const action of ['deny', 'allow'] as const) {
      const part = s[action];
      if (!part) continue;
      const to = part === 'all' ? undefined : joinOps(part);
      const k = JSON.stringify([action, to ?? null]);
      const g = groups.get(k) ?? { action, ...(to ? { to } : {}), from: [] };
      g.from.push(caller(s));
      groups.set(k, g);
    }
  const meta = r.meta(o);
  return [...groups.values()].map((g, i) =>
    neutralPolicy(
      'AccessPolicy',
      neutralMetadata(i === 0 ? meta.name : `${meta.name}-${i + 1}`, o.namespace, meta),
      {
        service,
        action: g.action,
        from: g.from,
        ...(g.to?.length ? { to: g.to } : {}),
      },
      [o.ref],
    ),
  );
}

/**
 * anymesh's own output: each source's description names the policies merged into it, sorted;
 * a policy's action is where its operations appear, and its operations are what a source it alone
 * governs (in that action) has. Returns undefined when the entry cannot be split that way.
 */
function splitByProvenance(
  o: NativeObject,
  service: string,
  sources: readonly Source[],
  own: readonly string[],
): ImportedPolicy[] | undefined {
  const action = new Map<string, 'allow' | 'deny'>();
  const to = new Map<string, Op[] | 'all'>();
  for (let pass = 0; pass < 3; pass++)
    for (const s of sources) {
      for (const a of ['allow', 'deny'] as const) {
        const part = s[a];
        const cands = s.refs.filter((ref) => action.get(ref) !== (a === 'allow' ? 'deny' : 'allow'));
        if (!part) {
          // Refs of this source with no part of this action are of the other one, if it has one.
          continue;
        }
        const unknown = cands.filter((ref) => !action.has(ref));
        const known = cands.filter((ref) => action.get(ref) === a);
        if (unknown.length === 1 && known.length === 0) action.set(unknown[0]!, a);
        if (cands.length === 1 && action.get(cands[0]!) === a && !to.has(cands[0]!))
          to.set(cands[0]!, part === 'all' ? 'all' : joinOps(part));
      }
      // A source with only one part: every ref is of that action.
      if (!(s.allow && s.deny))
        for (const ref of s.refs) if (!action.has(ref)) action.set(ref, s.allow ? 'allow' : 'deny');
    }
  if (own.some((ref) => !action.has(ref) || !to.has(ref))) return undefined;
  return own.map((ref) => {
    const [, namespace, name] = ref.split('/') as [string, string, string];
    const ops = to.get(ref)!;
    return neutralPolicy(
      'AccessPolicy',
      neutralMetadata(name, namespace),
      {
        service,
        action: action.get(ref)!,
        from: sources.filter((s) => s.refs.includes(ref)).map(caller),
        ...(ops !== 'all' && ops.length ? { to: ops } : {}),
      },
      [o.ref],
    );
  });
}

/** ServiceDefaults / ProxyDefaults `mutualTLSMode` -> MTLSPolicy (service scope, or mesh for global). */
export function importMtls(objects: readonly NativeObject[], r: ConsulReader): ImportedPolicy[] {
  const out: ImportedPolicy[] = [];
  for (const o of objects) {
    const global = isKind(o, 'ProxyDefaults');
    if (!global && !isKind(o, 'ServiceDefaults')) continue;
    const mode = r.ledger.peek<string>(o, ['spec', 'mutualTLSMode']);
    if (mode === undefined) continue;
    if (mode === '' || mode === 'default') {
      r.ledger.take(o, ['spec', 'mutualTLSMode']);
      continue;
    }
    if (mode !== 'strict' && mode !== 'permissive') {
      r.lost(o, ['spec', 'mutualTLSMode'], `mode ${mode} is not strict or permissive`);
      continue;
    }
    const meta = r.meta(o);
    if (global && meta.name !== 'global') {
      r.lost(o, ['spec'], 'Consul reads only the ProxyDefaults named global');
      continue;
    }
    r.ledger.take(o, ['spec', 'mutualTLSMode']);
    const src = r.sources(o, 'MTLSPolicy')[0];
    out.push(
      neutralPolicy(
        'MTLSPolicy',
        neutralMetadata(src?.name ?? meta.name, src?.namespace ?? o.namespace, src ? undefined : meta),
        global ? { mode, scope: 'mesh' } : { mode, service: meta.name },
        [o.ref],
      ),
    );
  }
  return out;
}
