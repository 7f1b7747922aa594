/**
 * SMI -> neutral (`anymesh import --from smi`): TrafficSplit (+ the HTTPRouteGroups it matches)
 * -> TrafficPolicy, TrafficTarget (+ its HTTPRouteGroups / TCPRoutes) -> AccessPolicy.
 *
 * SMI is a source only: no mesh compiles to it (it is archived; the AKS Open Service Mesh add-on
 * that used it must be left by 2027-09-30), so it has no descriptor, and it lives here rather than
 * in a folder of its own, which the registry would take for a mesh. Meanings follow the SMI spec
 * (github.com/servicemeshinterface/smi-spec: traffic-split v1alpha4, traffic-access v1alpha3,
 * traffic-specs v1alpha4) and the CRDs in shared/crds/smi: a split's weights are relative; with
 * `matches` only matching requests are split; a TrafficTarget allows its sources (service
 * accounts) to call the pods of its destination service account, and denies the rest.
 */
import { type MessageType, message } from '../../core/diagnostics.js';
import {
  FieldLedger,
  type ImportContext,
  type ImportedPolicy,
  type ImportResult,
  type ImportSource,
  type NativeObject,
  sortImported,
} from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { HTTP_METHODS } from '../../core/model/schema.js';
import { neutralMetadata, neutralPolicy, serviceOfHost, takeMetadata } from './import-kit.js';
import { NativeReader } from './native-reader.js';
import { nativeShapeOf } from './native-shapes.js';

type Obj = Record<string, unknown>;

/** SMI's own codes: AM49xx, a range no mesh takes (meshes are AM41 ... AM48). */
export const SMI_IMPORT_MESSAGES = {
  NoNeutralForm: message('AM4901', 'warning', 'SmiImportNoNeutralForm', 'not imported: {reason}', {
    description:
      'An SMI field has no form in the neutral model (UDP routes, header conditions on access rules, a regular expression an access path cannot say ...). `--strict` makes it an error.',
    fix: 'Express it another way after the import, or drop it knowingly.',
    example: 'a TrafficTarget rule of kind UDPRoute',
  }),
  MeaningChanges: message(
    'AM4902',
    'warning',
    'SmiImportMeaningChanges',
    'imported, but its meaning changes: {how}',
    {
      description:
        'An SMI field was imported into the closest neutral form, which behaves differently in the way the message names (e.g. a destination service account becomes the Service of that name). `--strict` makes it an error.',
      fix: 'Review the imported policy and correct it where the difference matters.',
      example: 'a TrafficTarget whose destination is service account `bookstore`',
    },
  ),
} satisfies Record<string, MessageType>;

const GROUPS = ['split.smi-spec.io/', 'access.smi-spec.io/', 'specs.smi-spec.io/'];
const is = (o: NativeObject, kind: string) =>
  o.object.kind === kind && GROUPS.some((g) => o.object.apiVersion.startsWith(g));

class SmiReader extends NativeReader {
  constructor(ledger: FieldLedger, ctx: ImportContext) {
    super(ledger, ctx, {
      ImportNoNeutralForm: SMI_IMPORT_MESSAGES.NoNeutralForm,
      ImportMeaningChanges: SMI_IMPORT_MESSAGES.MeaningChanges,
    });
  }
}

export const smiImportSource: ImportSource = {
  id: 'smi',
  displayName: 'SMI (Service Mesh Interface)',
  kinds: [
    { group: 'split.smi-spec.io', kind: 'TrafficSplit' },
    { group: 'access.smi-spec.io', kind: 'TrafficTarget' },
    { group: 'specs.smi-spec.io', kind: 'HTTPRouteGroup' },
    { group: 'specs.smi-spec.io', kind: 'TCPRoute' },
  ],
  shapeOf: nativeShapeOf,
  import: importSmi,
};

function importSmi(objects: readonly NativeObject[], ctx: ImportContext): ImportResult {
  const ledger = new FieldLedger(ctx.strict);
  const r = new SmiReader(ledger, ctx);
  const routeGroups = new Map<string, NativeObject>();
  for (const o of objects)
    if (is(o, 'HTTPRouteGroup') || is(o, 'TCPRoute'))
      routeGroups.set(`${o.object.kind}/${o.namespace}/${o.object.metadata.name}`, o);
  const used = new Set<NativeObject>();
  const policies: ImportedPolicy[] = [];
  for (const o of objects) {
    if (is(o, 'TrafficSplit')) {
      const p = importSplit(o, routeGroups, used, r);
      if (p) policies.push(p);
    } else if (is(o, 'TrafficTarget')) {
      const p = importTarget(o, routeGroups, used, r);
      if (p) policies.push(p);
    }
  }
  for (const g of routeGroups.values()) {
    if (used.has(g)) continue;
    takeMetadata(ledger, g);
    r.lost(
      g,
      ['spec'],
      `${g.object.kind} ${g.object.metadata.name} is not used by any TrafficSplit or TrafficTarget given`,
    );
  }
  return ledger.finish(objects, { policies: sortImported(policies) }, (o) =>
    ['TrafficSplit', 'TrafficTarget', 'HTTPRouteGroup', 'TCPRoute'].some((k) => is(o, k))
      ? undefined
      : `${o.object.apiVersion} ${o.object.kind} is not an SMI object anymesh imports (TrafficSplit, TrafficTarget, HTTPRouteGroup, TCPRoute)`,
  );
}

/** The matches of an HTTPRouteGroup as neutral route matches (`names`: only those, when given). */
function routeMatches(g: NativeObject, r: SmiReader, names?: readonly string[]): Obj[] {
  takeMetadata(r.ledger, g);
  r.rest(g, ['spec'], ['matches'], 'HTTPRouteGroup');
  const out: Obj[] = [];
  (r.ledger.peek<Obj[]>(g, ['spec', 'matches']) ?? []).forEach((m, i) => {
    const at: FieldPath = ['spec', 'matches', i];
    if (names && !names.includes(m.name as string)) {
      r.lost(g, at, `match ${String(m.name)} is not named by the rule that uses this group`);
      return;
    }
    r.rest(g, at, ['name', 'pathRegex', 'methods', 'headers'], 'match');
    r.ledger.take(g, [...at, 'name']);
    const base: Obj = {};
    const path = r.ledger.take<string>(g, [...at, 'pathRegex']);
    if (path !== undefined) base.path = { regex: path };
    const headers: Obj[] = [];
    (r.ledger.peek<Obj[]>(g, [...at, 'headers']) ?? []).forEach((h, j) => {
      for (const [name, value] of Object.entries(h)) {
        r.ledger.take(g, [...at, 'headers', j, name]);
        headers.push({ name, regex: value });
      }
    });
    if (headers.length) base.headers = headers;
    const methods = (r.ledger.take<string[]>(g, [...at, 'methods']) ?? []).filter((x) => x !== '*');
    const any = (r.ledger.peek<string[]>(g, [...at, 'methods']) ?? []).includes('*');
    if (!methods.length || any) out.push(base);
    else for (const method of methods) out.push({ ...base, method });
  });
  return out;
}

function importSplit(
  o: NativeObject,
  groups: Map<string, NativeObject>,
  used: Set<NativeObject>,
  r: SmiReader,
): ImportedPolicy | undefined {
  const meta = takeMetadata(r.ledger, o);
  r.rest(o, ['spec'], ['service', 'backends', 'matches'], 'TrafficSplit');
  const apex = r.ledger.peek<string>(o, ['spec', 'service']);
  const svc = apex === undefined ? undefined : serviceOfHost(apex, o.namespace, r.ctx);
  if (!svc || svc.namespace !== o.namespace) {
    r.lost(o, ['spec'], `the apex service ${apex} is not a Service of namespace ${o.namespace}`);
    return undefined;
  }
  r.ledger.take(o, ['spec', 'service']);
  const raw = (r.ledger.peek<Obj[]>(o, ['spec', 'backends']) ?? []).map((b, i) => {
    r.rest(o, ['spec', 'backends', i], ['service', 'weight'], 'backend');
    return { service: String(b.service), weight: weightOf(b.weight), index: i };
  });
  const sum = raw.reduce((n, b) => n + b.weight, 0);
  if (!raw.length || sum <= 0) {
    r.lost(o, ['spec', 'backends'], 'a split without weighted backends sends nothing anywhere');
    return undefined;
  }
  // Relative weights -> integer percentages; when they do not divide evenly, say so.
  const weights = raw.map((b) => Math.round((b.weight * 100) / sum));
  const drift = 100 - weights.reduce((n, w) => n + w, 0);
  weights[weights.length - 1]! += drift;
  const backends = raw.map((b, i) => {
    r.ledger.take(o, ['spec', 'backends', b.index, 'service']);
    const exact = (b.weight * 100) / sum === weights[i];
    if (exact) r.ledger.take(o, ['spec', 'backends', b.index, 'weight']);
    else
      r.changed(
        o,
        ['spec', 'backends', b.index, 'weight'],
        `relative weight ${b.weight} of ${sum} becomes ${weights[i]}%, neutral weights being integer percentages`,
      );
    return { service: b.service, weight: weights[i] };
  });
  const rule: Obj = { name: 'split' };
  const refs = r.ledger.peek<Obj[]>(o, ['spec', 'matches']) ?? [];
  const matches: Obj[] = [];
  refs.forEach((ref, i) => {
    const g = groups.get(`${ref.kind}/${o.namespace}/${ref.name}`);
    if (!g || ref.kind !== 'HTTPRouteGroup') {
      r.lost(o, ['spec', 'matches', i], `${ref.kind} ${ref.name} is not among the objects given`);
      return;
    }
    r.ledger.take(o, ['spec', 'matches', i]);
    used.add(g);
    matches.push(...routeMatches(g, r));
  });
  if (matches.some((m) => Object.keys(m).length === 0)) matches.length = 0;
  if (matches.length) rule.matches = matches;
  rule.backends = backends.length === 1 ? [{ service: backends[0]!.service }] : backends;
  return neutralPolicy(
    'TrafficPolicy',
    neutralMetadata(meta.name, o.namespace, meta),
    { service: svc.service, rules: [rule] },
    [o.ref, ...refs.map((x) => `${x.kind}/${o.namespace}/${x.name}`)],
  );
}

/** v1alpha1 wrote weights as quantities (`500m`); later versions as numbers. */
function weightOf(w: unknown): number {
  if (typeof w === 'number') return w;
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(String(w));
  return m ? Number(m[1]) / (m[2] ? 1000 : 1) : 0;
}

function importTarget(
  o: NativeObject,
  groups: Map<string, NativeObject>,
  used: Set<NativeObject>,
  r: SmiReader,
): ImportedPolicy | undefined {
  const meta = takeMetadata(r.ledger, o);
  r.rest(o, ['spec'], ['destination', 'sources', 'rules'], 'TrafficTarget');
  const dest = r.ledger.peek<Obj>(o, ['spec', 'destination']) ?? {};
  if (dest.kind !== 'ServiceAccount' || typeof dest.name !== 'string') {
    r.lost(o, ['spec'], 'the destination is not a service account');
    return undefined;
  }
  if (dest.namespace !== undefined && dest.namespace !== o.namespace) {
    r.lost(o, ['spec'], `the destination is in namespace ${dest.namespace}, not the TrafficTarget's`);
    return undefined;
  }
  r.rest(o, ['spec', 'destination'], ['kind', 'name', 'namespace'], 'destination');
  r.ledger.take(o, ['spec', 'destination', 'kind']);
  r.ledger.take(o, ['spec', 'destination', 'namespace']);
  r.changed(
    o,
    ['spec', 'destination', 'name'],
    `SMI names the destination by service account ${dest.name}; the imported policy governs Service ${dest.name} (pods app: ${dest.name}); set spec.service and spec.selector if they differ`,
  );
  const from: Obj[] = [];
  (r.ledger.peek<Obj[]>(o, ['spec', 'sources']) ?? []).forEach((s, i) => {
    const at: FieldPath = ['spec', 'sources', i];
    r.rest(o, at, ['kind', 'name', 'namespace'], 'source');
    if (s.kind !== 'ServiceAccount') {
      r.lost(o, at, `a source of kind ${s.kind}; neutral callers are service accounts or namespaces`);
      return;
    }
    for (const k of ['kind', 'name', 'namespace']) r.ledger.take(o, [...at, k]);
    from.push({ namespace: (s.namespace as string | undefined) ?? o.namespace, serviceAccount: s.name });
  });
  if (!from.length) {
    r.lost(o, ['spec', 'sources'], 'no source the neutral model can name');
    return undefined;
  }
  const to: Obj[] = [];
  let everything = false;
  (r.ledger.peek<Obj[]>(o, ['spec', 'rules']) ?? []).forEach((rule, i) => {
    const at: FieldPath = ['spec', 'rules', i];
    r.rest(o, at, ['kind', 'name', 'matches'], 'rule');
    const g = groups.get(`${rule.kind}/${o.namespace}/${rule.name}`);
    if (!g) {
      r.lost(o, at, `${rule.kind} ${rule.name} is not among the objects given`);
      return;
    }
    for (const k of ['kind', 'name', 'matches']) r.ledger.take(o, [...at, k]);
    used.add(g);
    if (rule.kind === 'TCPRoute') {
      takeMetadata(r.ledger, g);
      const ports = r.ledger.take<number[]>(g, ['spec', 'matches', 'ports']);
      r.rest(g, ['spec'], ['matches'], 'TCPRoute');
      r.rest(g, ['spec', 'matches'], ['name', 'ports'], 'TCPRoute match');
      r.ledger.take(g, ['spec', 'matches', 'name']);
      if (ports?.length) to.push({ ports });
      else everything = true;
      return;
    }
    for (const m of routeMatches(g, r, rule.matches as string[] | undefined)) {
      const op = accessOperation(m);
      if (op === undefined)
        r.lost(g, ['spec', 'matches'], 'a match with headers or a path regex an access rule cannot say');
      else if (Object.keys(op).length === 0) everything = true;
      else to.push(op);
    }
  });
  return neutralPolicy(
    'AccessPolicy',
    neutralMetadata(meta.name, o.namespace, meta),
    { service: dest.name, action: 'allow', from, ...(to.length && !everything ? { to } : {}) },
    [o.ref],
  );
}

/** An HTTP route match as an access operation: methods and paths (exact or `/prefix/*`). */
function accessOperation(m: Obj): Obj | undefined {
  if (m.headers) return undefined;
  const out: Obj = {};
  if (m.method && (HTTP_METHODS as readonly string[]).includes(m.method as string)) out.methods = [m.method];
  const regex = (m.path as Obj | undefined)?.regex as string | undefined;
  if (regex !== undefined && regex !== '.*' && regex !== '/.*') {
    const prefix = /^(\/[\w\-/.]*?)\/?\.\*$/.exec(regex);
    if (prefix) out.paths = [`${prefix[1]}/*`];
    else if (/^[\w\-/.]+$/.test(regex) && !regex.includes('.')) out.paths = [regex];
    else return undefined;
  }
  return out;
}
