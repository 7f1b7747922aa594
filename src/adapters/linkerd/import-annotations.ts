/**
 * Linkerd's route annotations -> a neutral rule's timeout and retries. The annotations sit on an
 * HTTPRoute or GRPCRoute (then they apply to every rule of it) or on the parent Service (then to
 * every route without retry or timeout annotations of its own, and to calls no route matches).
 *
 * Read as the policy controller reads them (linkerd2 main b24cd4059, policy-controller/k8s/index/
 * src/outbound/index.rs parse_timeouts, index/http.rs parse_http_retry, index/grpc.rs
 * parse_grpc_retry): `retry.linkerd.io/limit` defaults to 1 once any retry annotation is set (0
 * also means 1); `retry.linkerd.io/http` is 5xx (500-599), gateway-error (502-504), a status code,
 * or a range `500-504`; `retry.linkerd.io/grpc` names gRPC statuses; durations are one integer
 * and a unit. `timeout.linkerd.io/response` and `/idle` have no neutral form.
 */
import type { NativeObject } from '../../core/import.js';
import { formatDuration } from '../../core/model/duration.js';
import { type LinkerdReader, linkerdMs, type Obj } from './import-reader.js';

export const TIMEOUT_REQUEST = 'timeout.linkerd.io/request';
const TIMEOUT_RESPONSE = 'timeout.linkerd.io/response';
const TIMEOUT_IDLE = 'timeout.linkerd.io/idle';
const RETRY_HTTP = 'retry.linkerd.io/http';
const RETRY_GRPC = 'retry.linkerd.io/grpc';
const RETRY_LIMIT = 'retry.linkerd.io/limit';
const RETRY_TIMEOUT = 'retry.linkerd.io/timeout';

/** Every annotation this module reads; callers leave them out of the metadata they carry over. */
export const ROUTE_ANNOTATIONS = [
  TIMEOUT_REQUEST,
  TIMEOUT_RESPONSE,
  TIMEOUT_IDLE,
  RETRY_HTTP,
  RETRY_GRPC,
  RETRY_LIMIT,
  RETRY_TIMEOUT,
];

/** gRPC retry conditions Linkerd reads (grpc.rs parse_grpc_retry), all of them neutral. */
const GRPC_CONDITIONS = ['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'];

export interface RouteSettings {
  /** The request timeout in ms, and its neutral text. */
  readonly timeout?: { ms: number; text: string };
  readonly retries?: Obj;
  /** Whether any timeout or retry annotation was set (route annotations then hide the Service's). */
  readonly hasTimeouts: boolean;
  readonly hasRetries: boolean;
}

const path = (key: string) => ['metadata', 'annotations', key];

/** A duration annotation as neutral text, or undefined (reported) when Linkerd would refuse it. */
function duration(o: NativeObject, key: string, r: LinkerdReader): { ms: number; text: string } | undefined {
  const v = r.ledger.peek<string>(o, path(key));
  if (v === undefined) return undefined;
  const ms = linkerdMs(v);
  if (ms === undefined) {
    r.lost(
      o,
      path(key),
      `${JSON.stringify(v)} is not a duration Linkerd reads (one integer and ms, s, m, h or d), so Linkerd ignores the annotation`,
    );
    return undefined;
  }
  r.ledger.take(o, path(key));
  return { ms, text: formatDuration(ms) };
}

/**
 * The timeout and retries the annotations of `o` give each rule. `grpc`: the object is a GRPCRoute
 * (where retry.linkerd.io/http is not read) rather than an HTTPRoute (where /grpc is not read); a
 * Service's annotations serve both.
 */
export function readRouteAnnotations(
  o: NativeObject,
  r: LinkerdReader,
  kind: 'http' | 'grpc' | 'service',
): RouteSettings {
  const a = r.ledger.peek<Record<string, string>>(o, ['metadata', 'annotations']) ?? {};
  for (const key of [TIMEOUT_RESPONSE, TIMEOUT_IDLE])
    if (a[key] !== undefined)
      r.lost(
        o,
        path(key),
        `${key} (${key === TIMEOUT_IDLE ? 'how long a stream may be idle' : 'the time to the response headers, per attempt'}) has no neutral form; neutral timeouts bound the whole request`,
      );
  const timeout = duration(o, TIMEOUT_REQUEST, r);
  const hasTimeouts = [TIMEOUT_REQUEST, TIMEOUT_RESPONSE, TIMEOUT_IDLE].some((k) => a[k] !== undefined);
  const retryKeys = [RETRY_HTTP, RETRY_GRPC, RETRY_LIMIT, RETRY_TIMEOUT].filter((k) => a[k] !== undefined);
  if (!retryKeys.length) return { ...(timeout ? { timeout } : {}), hasTimeouts, hasRetries: false };
  const retries: Obj = {};
  const limit = a[RETRY_LIMIT];
  if (limit === undefined) retries.attempts = 1;
  else if (/^\d+$/.test(limit) && Number(limit) <= 65535) {
    const n = Number(limit);
    if (n === 0) {
      r.changed(
        o,
        path(RETRY_LIMIT),
        'Linkerd reads a limit of 0 as its default, 1 retry; imported as attempts: 1',
      );
      retries.attempts = 1;
    } else if (n > 100) {
      r.changed(o, path(RETRY_LIMIT), `neutral retries allow at most 100 attempts; ${n} imported as 100`);
      retries.attempts = 100;
    } else {
      r.ledger.take(o, path(RETRY_LIMIT));
      retries.attempts = n;
    }
  } else {
    r.lost(
      o,
      path(RETRY_LIMIT),
      `${JSON.stringify(limit)} is not a number Linkerd reads; it fails the route's retry configuration`,
    );
    retries.attempts = 1;
  }
  const perTry = duration(o, RETRY_TIMEOUT, r);
  if (perTry && perTry.ms > 0) retries.perTryTimeout = perTry.text;
  const on: string[] = [];
  const conditions = (key: string, read: (c: string) => string[] | undefined, where: string) => {
    const v = a[key];
    if (v === undefined) return;
    if (kind !== 'service' && kind !== where) {
      r.lost(
        o,
        path(key),
        `Linkerd reads ${key} on ${where === 'http' ? 'HTTPRoutes' : 'GRPCRoutes'} and Services only, so it has no effect here`,
      );
      return;
    }
    const parsed = v.split(',').map((c) => read(c.trim()));
    if (parsed.some((p) => p === undefined)) {
      r.lost(
        o,
        path(key),
        `${JSON.stringify(v)} has a condition Linkerd does not read, so Linkerd ignores the retry configuration`,
      );
      return;
    }
    r.ledger.take(o, path(key));
    for (const c of parsed.flat() as string[]) if (!on.includes(c)) on.push(c);
  };
  conditions(RETRY_HTTP, httpCondition, 'http');
  conditions(
    RETRY_GRPC,
    (c) => (GRPC_CONDITIONS.includes(c.toLowerCase()) ? [c.toLowerCase()] : undefined),
    'grpc',
  );
  if (on.length) retries.retryOn = on;
  return {
    ...(timeout ? { timeout } : {}),
    retries,
    hasTimeouts,
    hasRetries: true,
  };
}

/** One `retry.linkerd.io/http` condition as neutral retryOn entries, or undefined. */
function httpCondition(c: string): string[] | undefined {
  const lower = c.toLowerCase();
  if (lower === '5xx' || lower === 'gateway-error') return [lower];
  const code = (s: string) =>
    /^\d+$/.test(s) && Number(s) >= 100 && Number(s) < 600 ? Number(s) : undefined;
  const one = code(c);
  if (one !== undefined) return one >= 100 && one < 600 ? [String(one)] : undefined;
  const [a, b] = c.split('-');
  const start = code(a ?? '');
  const end = code(b ?? '');
  if (start === undefined || end === undefined || start > end) return undefined;
  // A whole hundred of 5xx is the neutral 5xx; otherwise every code of the range.
  if (start === 500 && end === 599) return ['5xx'];
  if (start === 502 && end === 504) return ['gateway-error'];
  return Array.from({ length: end - start + 1 }, (_, i) => String(start + i));
}

/** Whether every `retry.linkerd.io/http` condition is one Linkerd reads. */
export function httpConditionsValid(value: string): boolean {
  return value.split(',').every((c) => httpCondition(c.trim()) !== undefined);
}
