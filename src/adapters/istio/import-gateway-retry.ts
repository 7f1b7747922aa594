/**
 * The timeouts and retry of a Gateway API HTTPRoute rule as istiod reads them
 * (pilot/pkg/config/kube/gateway/conversion.go convertHTTPRoute): `retry` is attempts (2 when
 * unset) with retryOn = connect-failure, refused-stream, unavailable, cancelled plus the status
 * codes, so those four are always in the imported retryOn, and the code sets anymesh writes for
 * 5xx, gateway-error and retriable-4xx (istio/ambient-routing.ts) come back as those classes;
 * `timeouts.request` is the route timeout, `timeouts.backendRequest` the per-try timeout with a
 * retry and the route timeout without one (it then wins over `request`).
 */
import type { NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { formatDuration } from '../../core/model/duration.js';
import { gatewayMs } from '../kit/gateway-api.js';
import type { IstioReader, Obj } from './import-reader.js';

/** The status code sets anymesh writes for a retry class (istio/ambient-routing.ts RETRY_CODES). */
const CLASS_CODES: readonly [string, readonly number[]][] = [
  ['5xx', [500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511]],
  ['gateway-error', [502, 503, 504]],
  ['retriable-4xx', [409]],
];
/** What Istio retries on whenever a rule has a retry (conversion.go convertHTTPRoute). */
const ALWAYS = ['connect-failure', 'refused-stream', 'unavailable', 'cancelled'];

/** An HTTPRoute rule's neutral timeout and retries (module comment), its fields taken or reported. */
export function timeoutsAndRetry(route: NativeObject, index: number, r: IstioReader): Obj {
  const base: FieldPath = ['spec', 'rules', index];
  const out: Obj = {};
  const retry = r.ledger.peek<Obj>(route, [...base, 'retry']);
  if (retry) {
    const rat = [...base, 'retry'];
    r.rest(route, rat, ['attempts', 'codes', 'backoff'], 'retry');
    const attempts = (retry.attempts as number | undefined) ?? 2;
    if (attempts === 0)
      r.lost(route, rat, 'a retry of 0 attempts turns retries off, which a neutral rule says by having none');
    else {
      const codes = new Set(((retry.codes as number[] | undefined) ?? []).map(Number));
      const retryOn: string[] = [];
      for (const [cls, set] of CLASS_CODES)
        if (set.every((c) => codes.has(c))) {
          retryOn.push(cls);
          for (const c of set) codes.delete(c);
        }
      retryOn.push(...[...codes].sort((a, b) => a - b).map(String), ...ALWAYS);
      const retries: Obj = { attempts, retryOn };
      if (retry.backoff !== undefined) {
        const ms = gatewayMs(retry.backoff);
        if (ms === undefined)
          r.lost(route, [...rat, 'backoff'], `${JSON.stringify(retry.backoff)} is not a duration`);
        else retries.backoff = { base: formatDuration(ms) };
      }
      for (const k of ['attempts', 'codes']) r.ledger.take(route, [...rat, k]);
      if (retries.backoff) r.ledger.take(route, [...rat, 'backoff']);
      out.retries = retries;
    }
  }
  const tat = [...base, 'timeouts'];
  const timeouts = r.ledger.peek<Obj>(route, tat);
  if (timeouts) {
    r.rest(route, tat, ['request', 'backendRequest'], 'timeouts');
    const read = (k: string) => {
      if (timeouts[k] === undefined) return undefined;
      const ms = gatewayMs(timeouts[k]);
      if (ms === undefined) r.lost(route, [...tat, k], `${JSON.stringify(timeouts[k])} is not a duration`);
      else r.ledger.take(route, [...tat, k]);
      return ms;
    };
    const request = read('request');
    const backend = read('backendRequest');
    if (backend && out.retries) (out.retries as Obj).perTryTimeout = formatDuration(backend);
    if (backend && !out.retries) {
      if (request)
        r.changed(
          route,
          [...tat, 'request'],
          `Istio takes backendRequest (${String(timeouts.backendRequest)}) as the route timeout of a rule without a retry, so request (${String(timeouts.request)}) has no effect; imported as the timeout Istio applies`,
        );
      out.timeout = formatDuration(backend);
    } else if (request) out.timeout = formatDuration(request);
  }
  return out;
}
