/**
 * Retries. Each setting is left out on its own, except that without `attempts` there are no
 * retries at all, and a backoff without its base is no backoff (see also `degrade.ts`: retries
 * that lose every condition are left out whole).
 */
import { withField, withGrpcField } from './fixtures.js';
import { defineFamily } from './types.js';

const RT = 'TrafficPolicy.spec.rules[].retries';

type RetryOn = 'retries.on.http' | 'retries.on.connection' | 'retries.on.grpc';

/** The named retry conditions (`RETRY_ON` in the schema), by what they are about. */
const RETRY_FAMILY: Readonly<Record<string, RetryOn>> = {
  '5xx': 'retries.on.http',
  'gateway-error': 'retries.on.http',
  'retriable-4xx': 'retries.on.http',
  reset: 'retries.on.connection',
  'connect-failure': 'retries.on.connection',
  'refused-stream': 'retries.on.connection',
  cancelled: 'retries.on.grpc',
  'deadline-exceeded': 'retries.on.grpc',
  internal: 'retries.on.grpc',
  'resource-exhausted': 'retries.on.grpc',
  unavailable: 'retries.on.grpc',
};

/** The feature a retry condition belongs to; bare status codes are HTTP conditions. */
export function retryConditionFeature(cond: string): RetryOn {
  return RETRY_FAMILY[cond] ?? 'retries.on.http';
}

const condition = (feature: RetryOn) =>
  [
    {
      field: `${RT}.retryOn[]`,
      scope: 'field',
      when: (v: unknown) => typeof v === 'string' && retryConditionFeature(v) === feature,
    },
  ] as const;

/** A rule with retries: `2` attempts and `more` settings. */
const retry = (more: string, companions: readonly string[] = []) =>
  withField(`retries: {attempts: 2${more ? `, ${more}` : ''}}`, [
    ...(more ? ['retries.attempts'] : []),
    ...companions,
  ]);

export const retries = defineFamily({
  name: 'retries',
  features: [
    {
      id: 'retries.attempts',
      description: 'Retry failed requests a number of times.',
      uses: [{ field: `${RT}.attempts`, scope: 'field', drop: RT }],
      fixture: retry(''),
    },
    {
      id: 'retries.perTryTimeout',
      description: 'A timeout for each attempt.',
      uses: [{ field: `${RT}.perTryTimeout`, scope: 'field' }],
      fixture: retry('perTryTimeout: 500ms'),
    },
    {
      id: 'retries.on.http',
      description: 'Retry on HTTP status conditions (5xx, gateway-error, retriable-4xx, a status code).',
      uses: condition('retries.on.http'),
      fixture: retry('retryOn: [5xx]'),
    },
    {
      id: 'retries.on.connection',
      description: 'Retry on connection failures (connect-failure, reset, refused-stream).',
      uses: condition('retries.on.connection'),
      fixture: retry('retryOn: [connect-failure]'),
    },
    {
      id: 'retries.on.grpc',
      description: 'Retry on gRPC status conditions (cancelled, deadline-exceeded, unavailable, ...).',
      uses: condition('retries.on.grpc'),
      // A gRPC policy: Linkerd and App Mesh read gRPC retry conditions on their gRPC routes only.
      fixture: withGrpcField('retries: {attempts: 2, retryOn: [unavailable]}', ['retries.attempts']),
    },
    {
      id: 'retries.backoff',
      description: 'The base interval of exponential backoff between attempts.',
      uses: [{ field: `${RT}.backoff.base`, scope: 'field', drop: `${RT}.backoff` }],
      fixture: retry('backoff: {base: 50ms}'),
    },
    {
      id: 'retries.backoff.max',
      description: 'The maximum interval of exponential backoff between attempts.',
      uses: [{ field: `${RT}.backoff.max`, scope: 'field' }],
      fixture: retry('backoff: {base: 50ms, max: 1s}', ['retries.backoff']),
    },
  ],
  explain: [
    { field: 'TrafficPolicy', features: 'retries' },
    { field: 'TrafficPolicy.spec.rules.retries', features: 'retries' },
    { field: 'TrafficPolicy.spec.rules.retries.backoff', features: 'retries.backoff' },
    // The base is the backoff itself: explained with the maximum beside it.
    { field: 'TrafficPolicy.spec.rules.retries.backoff.base', features: 'retries.backoff' },
  ],
});
