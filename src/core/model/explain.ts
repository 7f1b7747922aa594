/**
 * `anymesh explain`: a field of the model described from the same schema that validates it, and
 * its support on each mesh from the same matrix the compiler uses.
 */
import type { MeshAdapter } from '../adapter.js';
import { columnOf } from '../columns.js';
import { FEATURE_IDS, type FeatureId } from '../features.js';
import { KIND_SCHEMAS, KINDS, type Kind } from './schema.js';

interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  patternProperties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
}

/** Field paths (after the kind) -> the feature ids they carry; the longest matching prefix wins. */
const FIELD_FEATURES: [string, string][] = [
  ['TrafficPolicy.spec.port', 'match.port'],
  ['TrafficPolicy.spec.versions', 'backends.version'],
  ['TrafficPolicy.spec.sources.namespace', 'routing.sources.namespace'],
  ['TrafficPolicy.spec.sources.serviceAccount', 'routing.sources.serviceAccount'],
  ['TrafficPolicy.spec.sources.labels', 'routing.sources.labels'],
  ['TrafficPolicy.spec.sources', 'routing.sources'],
  ['TrafficPolicy.spec.rules.matches.path', 'match.path'],
  ['TrafficPolicy.spec.rules.matches.method', 'match.method'],
  ['TrafficPolicy.spec.rules.matches.headers', 'match.headers'],
  ['TrafficPolicy.spec.rules.matches.queryParams', 'match.queryParams'],
  ['TrafficPolicy.spec.rules.matches', 'match'],
  ['TrafficPolicy.spec.rules.backends.version', 'backends.version'],
  ['TrafficPolicy.spec.rules.backends.service', 'backends.service'],
  ['TrafficPolicy.spec.rules.backends.weight', 'backends.weighted'],
  ['TrafficPolicy.spec.rules.backends', 'backends'],
  ['TrafficPolicy.spec.rules.timeout', 'timeout'],
  ['TrafficPolicy.spec.rules.retries.attempts', 'retries.attempts'],
  ['TrafficPolicy.spec.rules.retries.perTryTimeout', 'retries.perTryTimeout'],
  ['TrafficPolicy.spec.rules.retries.retryOn', 'retries.on'],
  ['TrafficPolicy.spec.rules.retries.backoff.max', 'retries.backoff.max'],
  ['TrafficPolicy.spec.rules.retries.backoff', 'retries.backoff'],
  ['TrafficPolicy.spec.rules.retries', 'retries'],
  ['TrafficPolicy.spec.rules.fault.delay', 'fault.delay'],
  ['TrafficPolicy.spec.rules.fault.abort.grpcStatus', 'fault.abort.grpc'],
  ['TrafficPolicy.spec.rules.fault.abort.status', 'fault.abort.http'],
  ['TrafficPolicy.spec.rules.fault', 'fault'],
  ['TrafficPolicy.spec.rules.mirror.percentage', 'mirror.percentage'],
  ['TrafficPolicy.spec.rules.mirror', 'mirror'],
  ['TrafficPolicy.spec.rules.requestHeaders.set', 'headers.request.set'],
  ['TrafficPolicy.spec.rules.requestHeaders.add', 'headers.request.add'],
  ['TrafficPolicy.spec.rules.requestHeaders.remove', 'headers.request.remove'],
  ['TrafficPolicy.spec.rules.requestHeaders', 'headers.request'],
  ['TrafficPolicy.spec.rules.responseHeaders.set', 'headers.response.set'],
  ['TrafficPolicy.spec.rules.responseHeaders.add', 'headers.response.add'],
  ['TrafficPolicy.spec.rules.responseHeaders.remove', 'headers.response.remove'],
  ['TrafficPolicy.spec.rules.responseHeaders', 'headers.response'],
  ['TrafficPolicy.spec.rules.cors', 'cors'],
  ['TrafficPolicy', ''],
  ['AccessPolicy.spec.action', 'access'],
  ['AccessPolicy.spec.from.namespace', 'access.from.namespace'],
  ['AccessPolicy.spec.from.serviceAccount', 'access.from.serviceAccount'],
  ['AccessPolicy.spec.from', 'access.from'],
  ['AccessPolicy.spec.to.methods', 'access.to.methods'],
  ['AccessPolicy.spec.to.paths', 'access.to.paths'],
  ['AccessPolicy.spec.to.ports', 'access.to.ports'],
  ['AccessPolicy.spec.to', 'access.to'],
  ['AccessPolicy', 'access'],
  ['MTLSPolicy.spec.mode', 'mtls'],
  ['MTLSPolicy.spec.scope', 'mtls.scope'],
  ['MTLSPolicy', 'mtls'],
];

export function featuresForField(kind: string, fieldPath: readonly string[]): FeatureId[] {
  const full = [kind, ...fieldPath].join('.');
  const entry = FIELD_FEATURES.filter(([p]) => full === p || full.startsWith(`${p}.`)).sort(
    (a, b) => b[0].length - a[0].length,
  )[0];
  if (!entry) return [];
  const prefix = entry[1];
  if (prefix === '') {
    // The whole TrafficPolicy: every routing feature.
    return FEATURE_IDS.filter((f) => !f.startsWith('access') && !f.startsWith('mtls'));
  }
  return FEATURE_IDS.filter((f) => f === prefix || f.startsWith(`${prefix}.`));
}

function typeName(s: Schema): string {
  if (s.enum) return `enum: ${s.enum.join(' | ')}`;
  if (s.const !== undefined) return `"${String(s.const)}"`;
  if (s.type === 'array') return `[]${s.items ? typeName(s.items) : ''}`;
  if (s.type === 'object' && !s.properties) return 'map[string]string';
  return s.type ?? 'object';
}

function child(s: Schema, segment: string): Schema | undefined {
  let cur: Schema | undefined = s;
  if (cur.type === 'array') cur = cur.items;
  if (!cur) return undefined;
  if (cur.properties?.[segment]) return cur.properties[segment];
  if (cur.patternProperties) return Object.values(cur.patternProperties)[0];
  if (cur.additionalProperties && typeof cur.additionalProperties === 'object')
    return cur.additionalProperties;
  return undefined;
}

export function explainField(
  path: string,
  adapters: readonly MeshAdapter[],
  /** Adapter options (`--option`): each mesh's support is read from the column they select. */
  options: Readonly<Record<string, string>> = {},
): { text: string } | { error: string } {
  const [kindText, ...segments] = path.split('.').filter(Boolean);
  const kind = KINDS.find((k) => k.toLowerCase() === (kindText ?? '').toLowerCase()) as Kind | undefined;
  if (!kind)
    return {
      error: `unknown kind ${JSON.stringify(kindText ?? '')}: start the path with one of ${KINDS.join(', ')}`,
    };
  let schema = KIND_SCHEMAS[kind] as unknown as Schema;
  let parent: Schema | undefined;
  for (let i = 0; i < segments.length; i++) {
    const next = child(schema, segments[i]!);
    if (!next) {
      const here = schema.type === 'array' ? schema.items : schema;
      const known = Object.keys(here?.properties ?? {});
      return {
        error: `${kind}.${segments.slice(0, i + 1).join('.')} does not exist${known.length ? `; fields here: ${known.join(', ')}` : ''}`,
      };
    }
    parent = schema.type === 'array' ? schema.items : schema;
    schema = next;
  }
  const last = segments[segments.length - 1];
  const required = last !== undefined && parent?.required?.includes(last);
  const lines = [
    `KIND:     ${kind}`,
    `VERSION:  anymesh.dev/v1alpha1`,
    '',
    `FIELD:    ${segments.join('.') || '(document)'} <${typeName(schema)}>${required ? ' -required-' : ''}`,
    '',
    'DESCRIPTION:',
    `    ${schema.description ?? '(none)'}`,
  ];
  const body = schema.type === 'array' ? schema.items : schema;
  if (body?.properties) {
    lines.push('', 'FIELDS:');
    for (const [name, s] of Object.entries(body.properties)) {
      lines.push(`    ${name}\t<${typeName(s)}>${body.required?.includes(name) ? ' -required-' : ''}`);
      lines.push(`      ${s.description ?? ''}`);
    }
  }
  const features = featuresForField(kind, segments);
  if (features.length && adapters.length) {
    lines.push('', 'SUPPORT:');
    const width = Math.max(...features.map((f) => f.length)) + 2;
    const text = (a: MeshAdapter, f: FeatureId) => {
      const c = columnOf(a, options)[f];
      return `${c.support}${c.minVersion && c.support !== 'none' ? ` ${c.minVersion}+` : ''}`;
    };
    // Each mesh column as wide as its widest cell, so cells never run together.
    const cols = adapters.map((a) => Math.max(a.id.length, ...features.map((f) => text(a, f).length)) + 2);
    lines.push(
      `    ${'feature'.padEnd(width)}${adapters.map((a, i) => a.id.padEnd(cols[i]!)).join('')}`.trimEnd(),
    );
    for (const f of features) {
      const cells = adapters.map((a, i) => text(a, f).padEnd(cols[i]!));
      lines.push(`    ${f.padEnd(width)}${cells.join('')}`.trimEnd());
    }
    // What behaves differently where support is partial or emulated.
    const differs = features.flatMap((f) =>
      adapters
        .filter((a) => ['partial', 'emulated'].includes(columnOf(a, options)[f].support))
        .map((a) => {
          const c = columnOf(a, options)[f];
          return `    ${a.id} ${f} (${c.support}): ${c.differs ?? c.reason}`;
        }),
    );
    if (differs.length) lines.push('', 'DIFFERS:', ...differs);
    lines.push('', '    `anymesh capabilities --feature <id>` says why, and what differs.');
  }
  return { text: `${lines.join('\n')}\n` };
}
