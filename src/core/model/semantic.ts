/**
 * Checks JSON Schema cannot express well: weights summing to 100, named versions being defined,
 * durations, RE2 regexes, HTTP header names, DNS names, duplicates. Every problem is reported.
 */
import { RE2JS } from 're2js';
import {
  CORE_MESSAGES,
  type CoreMessage,
  type CoreParams,
  type Diagnostic,
  diag,
  makeDiagnostic,
} from '../diagnostics.js';
import type { FieldPath } from '../loader/positions.js';
import { registeredMeshIds } from '../mesh-ids.js';
import { parseDuration } from './duration.js';
import { clipParams, closest } from './echo.js';
import type { PolicyDoc } from './policy-doc.js';
import {
  type AccessPolicy,
  type BackendPolicy,
  type HeaderMatchT,
  type MeshInstallation,
  type MTLSPolicy,
  RETRY_ON,
  type TrafficPolicy,
} from './schema.js';
import { checkGateway } from './semantic-gateway.js';
import { checkIpBlock } from './semantic-ip-block.js';
import { checkProtocol } from './semantic-protocol.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** RFC 9110 token characters. */
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Whether a header name is an HTTP token (RFC 9110), as the model requires; importers ask it too. */
export const isHttpToken = (name: string): boolean => HTTP_TOKEN.test(name);
/** Kubernetes label keys: optional DNS prefix, a name of at most 63 characters. */
const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** The longest regular expression accepted, in characters. */
export const MAX_REGEX_LENGTH = 1024;

/** RE2 is the judge of regexes since Envoy compiles them with RE2; JavaScript's RegExp accepts
 * lookarounds and backreferences RE2 refuses, and refuses some syntax RE2 accepts. re2js is a
 * port of RE2 (via RE2/J) to JavaScript. */
const re2Verdicts = new Map<string, string | undefined>();

export function re2Error(pattern: string): string | undefined {
  // Policies repeat their patterns (one per service, the same across teams): judge each once. The
  // cache holds only patterns within MAX_REGEX_LENGTH, so it stays small beside the input itself.
  if (re2Verdicts.has(pattern)) return re2Verdicts.get(pattern);
  const verdict = judgeRe2(pattern);
  if (pattern.length <= MAX_REGEX_LENGTH) re2Verdicts.set(pattern, verdict);
  return verdict;
}

function judgeRe2(pattern: string): string | undefined {
  // re2js compiles at a few microseconds per character (a 300 KB pattern took 5 s), so an input
  // of many huge patterns could stall validation. Envoy refuses far shorter patterns anyway (its
  // RE2 program-size limit, 100 by default), so anything longer than this is refused unread.
  if (pattern.length > MAX_REGEX_LENGTH)
    return `longer than ${MAX_REGEX_LENGTH} characters; Envoy's RE2 program-size limit refuses such patterns`;
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Collects the diagnostics of one document; the per-topic check modules report through it. */
export class Checker {
  readonly out: Diagnostic[] = [];
  constructor(readonly doc: PolicyDoc) {}

  report<K extends CoreMessage>(name: K, params: CoreParams<K>, path: FieldPath, key = false): void {
    this.out.push(makeDiagnostic<string>(CORE_MESSAGES[name], clipParams(params), this.doc.at(path, key)));
  }

  dnsLabel(value: string, path: FieldPath, what: string, key = false): void {
    if (value.length > 63 || !DNS1123_LABEL.test(value)) {
      this.report(
        'BadName',
        {
          got: JSON.stringify(value),
          what,
          rule: 'a DNS-1123 label: at most 63 lower-case letters, digits and -, starting and ending alphanumeric',
        },
        path,
        key,
      );
    }
  }

  dnsSubdomain(value: string, path: FieldPath, what: string): void {
    if (value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
      this.report(
        'BadName',
        {
          got: JSON.stringify(value),
          what,
          rule: 'a DNS-1123 subdomain: lower-case letters, digits, - and ., at most 253',
        },
        path,
      );
    }
  }

  serviceName(value: string, path: FieldPath): void {
    // Service names are DNS-1035 labels: they must start with a letter.
    if (value.length > 63 || !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(value)) {
      this.report(
        'BadName',
        {
          got: JSON.stringify(value),
          what: 'Service name',
          rule: 'a DNS-1035 label: at most 63 lower-case letters, digits and -, starting with a letter',
        },
        path,
      );
    }
  }

  duration(value: string, path: FieldPath, minMs = 1): number | undefined {
    const r = parseDuration(value);
    if ('error' in r) {
      this.report('BadDuration', { got: JSON.stringify(value), reason: r.error }, path);
      return undefined;
    }
    if (r.ms < minMs) {
      this.report('DurationRange', { got: value, expected: `at least ${minMs}ms` }, path);
      return undefined;
    }
    return r.ms;
  }

  regex(value: string, path: FieldPath): void {
    const err = re2Error(value);
    if (err) this.report('BadRegex', { got: JSON.stringify(value), reason: err }, path);
  }

  headerName(value: string, path: FieldPath, key = false): void {
    if (!HTTP_TOKEN.test(value)) this.report('BadHeaderName', { got: JSON.stringify(value) }, path, key);
  }

  labels(labels: Record<string, string> | undefined, path: FieldPath): void {
    for (const [k, v] of Object.entries(labels ?? {})) {
      if (!LABEL_KEY.test(k) || k.split('/').pop()!.length > 63) {
        this.report(
          'BadName',
          {
            got: JSON.stringify(k),
            what: 'label key',
            rule: 'an optional DNS prefix and / then at most 63 letters, digits, -, _ and .',
          },
          [...path, k],
          true,
        );
      }
      if (v.length > 63 || !LABEL_VALUE.test(v)) {
        this.report(
          'BadName',
          {
            got: JSON.stringify(v),
            what: 'label value',
            rule: 'at most 63 letters, digits, -, _ and ., starting and ending alphanumeric',
          },
          [...path, k],
        );
      }
    }
  }

  metadata(): void {
    const { metadata } = this.doc.policy;
    this.dnsSubdomain(metadata.name, ['metadata', 'name'], 'metadata.name');
    if (metadata.namespace !== undefined)
      this.dnsLabel(metadata.namespace, ['metadata', 'namespace'], 'namespace');
    const onUnsupported = (this.doc.policy.spec as { onUnsupported?: string }).onUnsupported;
    void onUnsupported; // the schema's enum already limits it to reject | warn
  }
}

export function checkSemantics(doc: PolicyDoc): Diagnostic[] {
  const c = new Checker(doc);
  c.metadata();
  switch (doc.kind) {
    case 'TrafficPolicy':
      checkTraffic(c, doc.policy as TrafficPolicy);
      break;
    case 'AccessPolicy':
      checkAccess(c, doc.policy as AccessPolicy);
      break;
    case 'MTLSPolicy':
      checkMtls(c, doc.policy as MTLSPolicy);
      break;
    case 'BackendPolicy':
      checkBackendPolicy(c, doc.policy as BackendPolicy);
      break;
    case 'MeshInstallation':
      checkInstallation(c, doc.policy as MeshInstallation);
      break;
  }
  return c.out;
}

/** The mesh of a MeshInstallation is one of the registry's (said as the schema says an enum). */
function checkInstallation(c: Checker, p: MeshInstallation): void {
  const ids = registeredMeshIds();
  if (ids.includes(p.spec.mesh)) return;
  const guess = closest(p.spec.mesh, ids);
  c.report(
    'SchemaEnum',
    {
      got: JSON.stringify(p.spec.mesh),
      expected: ids.join(', ') + (guess ? ` (did you mean ${guess}?)` : ''),
    },
    ['spec', 'mesh'],
  );
}

function checkTraffic(c: Checker, p: TrafficPolicy): void {
  const s = p.spec;
  c.serviceName(s.service, ['spec', 'service']);
  c.labels(s.selector, ['spec', 'selector']);
  const versions = Object.keys(s.versions ?? {});
  for (const v of versions) {
    // A bad version name is in the key, so point at the key (not at its labels mapping).
    c.dnsLabel(v, ['spec', 'versions', v], 'version name', true);
    c.labels(s.versions?.[v], ['spec', 'versions', v]);
  }
  s.sources?.forEach((src, i) => {
    if (src.namespace !== undefined)
      c.dnsLabel(src.namespace, ['spec', 'sources', i, 'namespace'], 'namespace');
    if (src.serviceAccount !== undefined)
      c.dnsSubdomain(src.serviceAccount, ['spec', 'sources', i, 'serviceAccount'], 'service account name');
    c.labels(src.labels, ['spec', 'sources', i, 'labels']);
  });
  const ruleNames = new Set<string>();
  s.rules.forEach((rule, r) => {
    const at = (...rest: FieldPath) => ['spec', 'rules', r, ...rest];
    if (rule.name !== undefined) {
      c.dnsLabel(rule.name, at('name'), 'rule name');
      if (ruleNames.has(rule.name)) c.report('DuplicateRuleName', { got: rule.name }, at('name'));
      ruleNames.add(rule.name);
    }
    rule.matches?.forEach((m, i) => {
      if (m.path?.regex !== undefined) c.regex(m.path.regex, at('matches', i, 'path', 'regex'));
      if (m.path?.exact !== undefined && !m.path.exact.startsWith('/'))
        c.report(
          'BadPath',
          { got: JSON.stringify(m.path.exact), reason: 'a path starts with /' },
          at('matches', i, 'path', 'exact'),
        );
      if (m.path?.prefix !== undefined && !m.path.prefix.startsWith('/'))
        c.report(
          'BadPath',
          { got: JSON.stringify(m.path.prefix), reason: 'a path prefix starts with /' },
          at('matches', i, 'path', 'prefix'),
        );
      checkHeaderMatches(c, m.headers, at('matches', i, 'headers'));
      const paramNames = new Set<string>();
      m.queryParams?.forEach((q, j) => {
        if (q.name.length === 0)
          c.report(
            'BadName',
            { got: '""', what: 'query parameter name', rule: 'not empty' },
            at('matches', i, 'queryParams', j, 'name'),
          );
        if (paramNames.has(q.name))
          c.report(
            'DuplicateEntry',
            { what: 'query parameter', got: q.name },
            at('matches', i, 'queryParams', j, 'name'),
          );
        paramNames.add(q.name);
        oneOf(c, q, ['exact', 'regex', 'present'], at('matches', i, 'queryParams', j));
        if (q.regex !== undefined) c.regex(q.regex, at('matches', i, 'queryParams', j, 'regex'));
        if (q.present === false) c.report('PresentFalse', {}, at('matches', i, 'queryParams', j, 'present'));
      });
    });
    const backends = rule.backends ?? [];
    backends.forEach((b, i) => checkBackend(c, b, versions, at('backends', i)));
    if (backends.length > 1) {
      const missing = backends.findIndex((b) => b.weight === undefined);
      if (missing >= 0) c.report('WeightMissing', {}, at('backends', missing));
      else {
        const sum = backends.reduce((a, b) => a + (b.weight ?? 0), 0);
        if (sum !== 100) c.report('WeightsSum', { sum }, at('backends'));
      }
    } else if (backends.length === 1 && backends[0]!.weight !== undefined && backends[0]!.weight !== 100) {
      c.report('WeightsSum', { sum: backends[0]!.weight }, at('backends', 0, 'weight'));
    }
    const seenTargets = new Set<string>();
    backends.forEach((b, i) => {
      const key =
        b.version !== undefined ? `v:${b.version}` : `s:${b.namespace ?? ''}/${b.service}:${b.port ?? ''}`;
      if (seenTargets.has(key))
        c.report('DuplicateEntry', { what: 'backend', got: b.version ?? b.service ?? '' }, at('backends', i));
      seenTargets.add(key);
    });
    if (rule.timeout !== undefined) c.duration(rule.timeout, at('timeout'));
    if (rule.retries) {
      const rt = rule.retries;
      if (rt.perTryTimeout !== undefined) c.duration(rt.perTryTimeout, at('retries', 'perTryTimeout'));
      rt.retryOn?.forEach((cond, i) => {
        if (!(RETRY_ON as readonly string[]).includes(cond) && !/^[1-5][0-9][0-9]$/.test(cond)) {
          c.report(
            'RetryOn',
            { got: JSON.stringify(cond), expected: RETRY_ON.join(', ') },
            at('retries', 'retryOn', i),
          );
        }
      });
      if (rt.backoff) {
        const base = c.duration(rt.backoff.base, at('retries', 'backoff', 'base'));
        const max =
          rt.backoff.max !== undefined
            ? c.duration(rt.backoff.max, at('retries', 'backoff', 'max'))
            : undefined;
        if (base !== undefined && max !== undefined && max < base)
          c.report(
            'BackoffOrder',
            { max: rt.backoff.max!, base: rt.backoff.base },
            at('retries', 'backoff', 'max'),
          );
      }
    }
    if (rule.fault?.delay) c.duration(rule.fault.delay.duration, at('fault', 'delay', 'duration'));
    if (rule.fault?.abort) {
      const a = rule.fault.abort;
      if ((a.status === undefined) === (a.grpcStatus === undefined))
        c.report('AbortKind', {}, at('fault', 'abort'));
    }
    if (rule.mirror) {
      checkBackend(c, rule.mirror.backend, versions, at('mirror', 'backend'));
      if (rule.mirror.backend.weight !== undefined)
        c.report(
          'SchemaUnknownField',
          { field: 'weight', hint: 'a mirror has percentage, not weight' },
          at('mirror', 'backend', 'weight'),
          true,
        );
    }
    for (const which of ['requestHeaders', 'responseHeaders'] as const) {
      const ops = rule[which];
      if (!ops) continue;
      for (const op of ['set', 'add'] as const) {
        for (const name of Object.keys(ops[op] ?? {})) c.headerName(name, at(which, op, name), true);
      }
      ops.remove?.forEach((name, i) => c.headerName(name, at(which, 'remove', i)));
    }
    if (rule.cors) {
      rule.cors.allowOrigins.forEach((o, i) => {
        if (o.regex !== undefined) c.regex(o.regex, at('cors', 'allowOrigins', i, 'regex'));
      });
      rule.cors.allowHeaders?.forEach((h, i) => c.headerName(h, at('cors', 'allowHeaders', i)));
      rule.cors.exposeHeaders?.forEach((h, i) => c.headerName(h, at('cors', 'exposeHeaders', i)));
      if (rule.cors.maxAge !== undefined) c.duration(rule.cors.maxAge, at('cors', 'maxAge'), 0);
    }
  });
  checkProtocol(c, p);
  checkGateway(c, p);
}

function oneOf(c: Checker, obj: object, keys: readonly string[], path: FieldPath): void {
  const given = keys.filter((k) => (obj as Record<string, unknown>)[k] !== undefined);
  if (given.length !== 1) c.report('MatchKind', { expected: keys.join(', ') }, path);
}

function checkBackend(
  c: Checker,
  b: { version?: string; service?: string; namespace?: string },
  versions: readonly string[],
  path: FieldPath,
): void {
  if ((b.version === undefined) === (b.service === undefined)) {
    c.report('BackendTarget', {}, path);
    return;
  }
  if (b.version !== undefined) {
    if (b.namespace !== undefined)
      c.report(
        'SchemaUnknownField',
        { field: 'namespace', hint: 'namespace goes with service, not version' },
        [...path, 'namespace'],
        true,
      );
    if (!versions.includes(b.version))
      c.report(
        'UndefinedVersion',
        { version: JSON.stringify(b.version), defined: versions.join(', ') || 'none' },
        [...path, 'version'],
      );
  } else {
    c.serviceName(b.service!, [...path, 'service']);
    if (b.namespace !== undefined) c.dnsLabel(b.namespace, [...path, 'namespace'], 'namespace');
  }
}

function checkAccess(c: Checker, p: AccessPolicy): void {
  const s = p.spec;
  c.serviceName(s.service, ['spec', 'service']);
  c.labels(s.selector, ['spec', 'selector']);
  s.from.forEach((f, i) => {
    if (f.namespace !== undefined) c.dnsLabel(f.namespace, ['spec', 'from', i, 'namespace'], 'namespace');
    if (f.serviceAccount !== undefined)
      c.dnsSubdomain(f.serviceAccount, ['spec', 'from', i, 'serviceAccount'], 'service account name');
    if (f.ipBlock) checkIpBlock(c, f.ipBlock, ['spec', 'from', i, 'ipBlock']);
    for (const field of ['namespace', 'serviceAccount'] as const)
      if (f.authenticated && f[field] !== undefined)
        c.report(
          'CallerConflict',
          {
            field,
            hint: 'authenticated is every caller with a mesh identity; name the callers one way or the other',
          },
          ['spec', 'from', i, field],
        );
  });
  s.to?.forEach((t, i) => {
    t.paths?.forEach((path, j) => {
      const reason = accessPathError(path);
      if (reason) c.report('BadPath', { got: JSON.stringify(path), reason }, ['spec', 'to', i, 'paths', j]);
    });
    checkHeaderMatches(c, t.headers, ['spec', 'to', i, 'headers']);
  });
}

/**
 * Header conditions (route matches, access operations): a valid name, once per list (two
 * conditions on one header could only both hold by accident), exactly one way to match.
 */
function checkHeaderMatches(c: Checker, headers: readonly HeaderMatchT[] | undefined, at: FieldPath): void {
  const names = new Set<string>();
  headers?.forEach((h, j) => {
    c.headerName(h.name, [...at, j, 'name']);
    if (names.has(h.name.toLowerCase()))
      c.report('DuplicateEntry', { what: 'header', got: h.name }, [...at, j, 'name']);
    names.add(h.name.toLowerCase());
    oneOf(c, h, ['exact', 'prefix', 'regex', 'present'], [...at, j]);
    if (h.regex !== undefined) c.regex(h.regex, [...at, j, 'regex']);
    if (h.present === false) c.report('PresentFalse', {}, [...at, j, 'present']);
  });
}

/** Access paths follow Istio's operation paths: exact, `/prefix/*`, `*suffix`, or `*`. */
export function accessPathError(path: string): string | undefined {
  if (path === '*') return undefined;
  const inner = path.replace(/^\*/, '').replace(/\*$/, '');
  if (inner.includes('*')) return 'a * may stand only at the start or the end';
  if (path.startsWith('*') && path.endsWith('*')) return 'a * may stand at the start or the end, not both';
  if (!path.startsWith('/') && !path.startsWith('*')) return 'a path starts with / (or * for a suffix match)';
  return undefined;
}

function checkMtls(c: Checker, p: MTLSPolicy): void {
  const s = p.spec;
  c.labels(s.selector, ['spec', 'selector']);
  if (s.service !== undefined) c.serviceName(s.service, ['spec', 'service']);
  if (s.scope === 'service' && s.service === undefined)
    c.report('ScopeConflict', { reason: 'scope service needs spec.service' }, ['spec', 'scope']);
  if ((s.scope === 'mesh' || s.scope === 'namespace') && s.service !== undefined)
    c.report(
      'ScopeConflict',
      { reason: `scope ${s.scope} covers more than one service; remove spec.service or use scope service` },
      ['spec', 'service'],
    );
  if (s.selector && s.service === undefined)
    c.report('ScopeConflict', { reason: 'spec.selector goes with spec.service' }, ['spec', 'selector']);
}

function checkBackendPolicy(c: Checker, p: BackendPolicy): void {
  const s = p.spec;
  const at = (...rest: FieldPath) => ['spec', ...rest];
  c.serviceName(s.service, at('service'));
  c.labels(s.selector, at('selector'));
  if (!s.outlierDetection && !s.connectionLimits && !s.loadBalancer && !s.rateLimit && !s.healthCheck)
    c.report('BackendPolicyEmpty', {}, at());
  const hc = s.healthCheck;
  if (hc) {
    c.duration(hc.interval, at('healthCheck', 'interval'));
    c.duration(hc.timeout, at('healthCheck', 'timeout'));
  }
  const od = s.outlierDetection;
  if (od?.interval !== undefined) c.duration(od.interval, at('outlierDetection', 'interval'));
  if (od?.baseEjectionTime !== undefined)
    c.duration(od.baseEjectionTime, at('outlierDetection', 'baseEjectionTime'));
  const cl = s.connectionLimits;
  if (cl?.connectTimeout !== undefined)
    c.duration(cl.connectTimeout, at('connectionLimits', 'connectTimeout'));
  const lb = s.loadBalancer;
  if (lb) {
    const hash = lb.consistentHash;
    if (lb.policy === 'consistentHash' && !hash)
      c.report(
        'HashPolicy',
        { reason: 'policy consistentHash needs consistentHash: one of header, cookie, sourceIP' },
        at('loadBalancer', 'policy'),
      );
    if (hash && lb.policy !== 'consistentHash')
      c.report(
        'HashPolicy',
        { reason: `consistentHash goes with policy consistentHash, not ${lb.policy}` },
        at('loadBalancer', 'consistentHash'),
      );
    if (hash) {
      const given = (['header', 'cookie', 'sourceIP'] as const).filter((k) => hash[k] !== undefined);
      if (given.length !== 1)
        c.report(
          'HashPolicy',
          { reason: 'give exactly one of consistentHash.header, cookie, sourceIP' },
          at('loadBalancer', 'consistentHash'),
        );
      if (hash.header !== undefined)
        c.headerName(hash.header, at('loadBalancer', 'consistentHash', 'header'));
      if (hash.sourceIP === false)
        c.report(
          'HashPolicy',
          { reason: 'sourceIP must be true; to hash on something else, give header or cookie' },
          at('loadBalancer', 'consistentHash', 'sourceIP'),
        );
      if (hash.cookie) {
        if (hash.cookie.ttl !== undefined)
          c.duration(hash.cookie.ttl, at('loadBalancer', 'consistentHash', 'cookie', 'ttl'));
        if (hash.cookie.path !== undefined && !hash.cookie.path.startsWith('/'))
          c.report(
            'BadPath',
            { got: JSON.stringify(hash.cookie.path), reason: 'a cookie path starts with /' },
            at('loadBalancer', 'consistentHash', 'cookie', 'path'),
          );
      }
    }
  }
  const rl = s.rateLimit;
  if (rl?.burst !== undefined && rl.burst < rl.requestsPerSecond)
    c.report('BurstBelowRate', { burst: rl.burst, rate: rl.requestsPerSecond }, at('rateLimit', 'burst'));
}

/** Duplicate policies (same kind, namespace and name) across all inputs. */
export function checkUniqueness(policies: readonly PolicyDoc[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const first = new Map<string, PolicyDoc>();
  for (const p of policies) {
    const prior = first.get(p.ref);
    if (prior) {
      const where = prior.at(['metadata', 'name']).location;
      out.push(
        diag(
          'DuplicatePolicy',
          { policy: p.ref, other: `${where.file}:${where.line}:${where.col}` },
          p.at(['metadata', 'name']),
        ),
      );
    } else first.set(p.ref, p);
  }
  return out;
}
