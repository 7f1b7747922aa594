// The one API error type: how a response becomes a KubeApiError (Status document, text, nothing),
// which errors the retry policy retries, and Retry-After in both of its forms.
import { describe, expect, it } from 'vitest';
import {
  errorFromResponse,
  isTransient,
  KubeApiError,
  parseRetryAfter,
  transportError,
} from '../../../src/cluster/kube-error.js';

// A Status as kube-apiserver sends it for a server-side apply that fails validation.
const invalid = {
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  message: 'VirtualService.networking.istio.io "r" is invalid: spec.http[0].timeout: Invalid value',
  reason: 'Invalid',
  details: {
    name: 'r',
    group: 'networking.istio.io',
    kind: 'VirtualService',
    causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value', field: 'spec.http[0].timeout' }],
  },
  code: 422,
};

describe('KubeApiError from a response', () => {
  it('takes message, reason and details from a Status document', () => {
    const e = errorFromResponse('PATCH', '/apis/networking.istio.io/v1/x', 422, invalid);
    expect(e).toBeInstanceOf(KubeApiError);
    expect(e.code).toBe(422);
    expect(e.reason).toBe('Invalid');
    expect(e.message).toBe(invalid.message);
    expect(e.status?.details?.causes?.[0]?.field).toBe('spec.http[0].timeout');
    expect(e.retryAfterMs).toBeUndefined();
    expect(e.notFound).toBe(false);
    expect(e.unreachable).toBe(false);
    expect(e.transient).toBe(false);
    expect(e.describe()).toBe(`PATCH /apis/networking.istio.io/v1/x: HTTP 422 Invalid: ${invalid.message}`);
  });

  it('names the HTTP status when a proxy answers with text or nothing', () => {
    const text = errorFromResponse('GET', '/api/v1/namespaces', 502, 'Bad Gateway');
    expect([text.code, text.reason, text.message, text.status]).toEqual([
      502,
      'HTTP502',
      'Bad Gateway',
      undefined,
    ]);
    expect(text.transient).toBe(true);
    const empty = errorFromResponse('GET', '/api/v1/namespaces/x', 404, undefined);
    expect([empty.reason, empty.message, empty.notFound]).toEqual(['HTTP404', 'HTTP 404', true]);
  });

  it('reads Retry-After from the response headers (seconds, an HTTP date, the first of several)', () => {
    const throttled = { kind: 'Status', reason: 'TooManyRequests', message: 'too many requests', code: 429 };
    expect(errorFromResponse('GET', '/x', 429, throttled, '2').retryAfterMs).toBe(2000);
    expect(errorFromResponse('GET', '/x', 429, throttled, ['1', '9']).retryAfterMs).toBe(1000);
    const at = new Date(61_000).toUTCString();
    expect(errorFromResponse('GET', '/x', 503, throttled, at, 1_000).retryAfterMs).toBe(60_000);
    expect(errorFromResponse('GET', '/x', 429, throttled, 'later').retryAfterMs).toBeUndefined();
    expect(errorFromResponse('GET', '/x', 429, throttled).transient).toBe(true);
  });

  it('a transport failure has code 0, the errno as reason, and is retried when the errno is', () => {
    const refused = transportError(
      'GET',
      '/version',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    );
    expect([refused.code, refused.reason, refused.unreachable, refused.transient]).toEqual([
      0,
      'ECONNREFUSED',
      true,
      true,
    ]);
    expect(refused.describe()).toBe('GET /version: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1');
    const tls = transportError(
      'GET',
      '/version',
      Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
    );
    expect(tls.transient).toBe(false); // a certificate does not fix itself
    expect(transportError('GET', '/version', new Error('socket hang up')).reason).toBe('ERR');
  });
});

describe('Retry-After values', () => {
  it('bounds an HTTP date in the past at 0 and ignores blanks', () => {
    expect(parseRetryAfter(' 5 ')).toBe(5000);
    expect(parseRetryAfter(new Date(0).toUTCString(), 10_000)).toBe(0);
    expect(parseRetryAfter('')).toBeUndefined();
  });
});

describe('transient classification', () => {
  const e = (code: number, reason: string) => new KubeApiError('GET', '/x', code, reason, reason);
  it('retries 429 and 500/502/503/504, nothing else', () => {
    const retried = [400, 401, 403, 404, 409, 410, 422, 429, 500, 501, 502, 503, 504].filter((c) =>
      isTransient(e(c, `HTTP${c}`)),
    );
    expect(retried).toEqual([429, 500, 502, 503, 504]);
  });
});
