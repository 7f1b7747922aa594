/**
 * `anymesh explain` takes its field -> feature table from the feature families. Its answers must
 * be the ones of the hand-written table it replaced (kept here, frozen, as the reference) for
 * every field of every kind, and for a key under every map.
 */
import { describe, expect, it } from 'vitest';
import { FEATURE_IDS, type FeatureId } from '../../../src/core/features/index.js';
import { featuresForField } from '../../../src/core/model/explain.js';
import { KINDS } from '../../../src/core/model/schema.js';
import { explainPath, schemaFields } from '../../support/schema-fields.js';

/** The table `explain.ts` held before issue 11: field prefix -> feature id prefix. */
const OLD_TABLE: [string, string][] = [
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

/**
 * The ids the old table knew. A feature added since is compared only where it changes nothing the
 * old table said: a field only a new feature claims is skipped, new ids are left out of answers.
 */
const OLD_IDS: ReadonlySet<string> = new Set(
  'match.path.exact match.path.prefix match.path.regex match.method match.headers.exact match.headers.prefix match.headers.regex match.headers.present match.queryParams.exact match.queryParams.regex match.queryParams.present match.port backends.version backends.weighted backends.service routing.sources.namespace routing.sources.serviceAccount routing.sources.labels timeout.request retries.attempts retries.perTryTimeout retries.on.http retries.on.connection retries.on.grpc retries.backoff retries.backoff.max fault.delay fault.abort.http fault.abort.grpc mirror mirror.percentage headers.request.set headers.request.add headers.request.remove headers.response.set headers.response.add headers.response.remove cors cors.allowOrigins.prefix cors.allowOrigins.regex mtls.strict mtls.permissive mtls.scope.mesh mtls.scope.namespace mtls.scope.service access.allow access.deny access.from.namespace access.from.serviceAccount access.to.methods access.to.paths access.to.ports'.split(
    ' ',
  ),
);

function oldAnswer(full: string): FeatureId[] {
  const entry = OLD_TABLE.filter(([p]) => full === p || full.startsWith(`${p}.`)).sort(
    (a, b) => b[0].length - a[0].length,
  )[0];
  if (!entry) return [];
  const prefix = entry[1];
  if (prefix === '') return FEATURE_IDS.filter((f) => !f.startsWith('access') && !f.startsWith('mtls'));
  return FEATURE_IDS.filter((f) => f === prefix || f.startsWith(`${prefix}.`));
}

/** Every field users can name: each schema field, and a key under each map (`versions.v1`). */
const PATHS = KINDS.flatMap((kind) =>
  schemaFields(kind).flatMap((f) => {
    const p = explainPath(f.path);
    return f.map ? [p, `${p}.somekey`] : [p];
  }),
);

describe('explain field -> features', () => {
  it('covers the schema', () => expect(PATHS.length).toBeGreaterThan(120));

  it.each(PATHS)('%s lists the same features as the old table', (path) => {
    const [kind, ...rest] = path.split('.');
    const now = featuresForField(kind!, rest);
    const known = now.filter((f) => OLD_IDS.has(f));
    if (now.length > 0 && known.length === 0) return;
    expect(known).toEqual(oldAnswer(path).filter((f) => OLD_IDS.has(f)));
  });

  it('the old ids are the catalogue (until a feature is added)', () => {
    for (const id of OLD_IDS) expect(FEATURE_IDS).toContain(id);
  });
});
