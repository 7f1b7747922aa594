/**
 * ServiceProfile (linkerd.io/v1alpha2) -> TrafficPolicy: what maps is imported, the rest reported.
 *
 * From the ServiceProfile reference (https://linkerd.io/2/reference/service-profiles/): the name is
 * the service's FQDN; routes are tried in order, a route's `condition` is a method and a
 * `pathRegex` matched against the whole path (or all/any/not of conditions, which have no neutral
 * form); `timeout` bounds the request (none when unset: a route with only a condition names requests
 * for per-route metrics, and is imported as a rule that adds nothing); `isRetryable` retries under the profile's `retryBudget` (a
 * ratio of extra requests, not a number of attempts: no neutral form); `responseClasses` say what
 * counts as a failure (metrics and retries); `dstOverrides` split all calls by relative weight
 * (Kubernetes quantities, `500m` is half of `1`). Unmatched calls still reach the service, so the
 * imported policy ends with a catch-all rule.
 */
import type { ImportedPolicy, NativeObject } from '../../core/import.js';
import { HTTP_METHODS } from '../../core/model/schema.js';
import {
  isDnsLabel,
  neutralDuration,
  neutralMetadata,
  neutralPolicy,
  serviceOfHost,
  takeMetadata,
} from '../kit/import-kit.js';
import { isKind, type LinkerdReader, type Obj, PROFILES } from './import-reader.js';

/** A Kubernetes quantity as a number (`500m` = 0.5), or undefined. */
function quantity(v: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(m)?$/.exec(String(v));
  if (!m) return undefined;
  return Number(m[1]) / (m[2] ? 1000 : 1);
}

export function importProfiles(objects: readonly NativeObject[], r: LinkerdReader): ImportedPolicy[] {
  const out: ImportedPolicy[] = [];
  for (const o of objects.filter((x) => isKind(x, PROFILES, 'ServiceProfile'))) {
    const meta = takeMetadata(r.ledger, o);
    const svc = serviceOfHost(meta.name, o.namespace, r.ctx);
    r.rest(o, ['spec'], ['routes', 'retryBudget', 'dstOverrides'], 'ServiceProfile');
    if (!svc || svc.namespace !== o.namespace) {
      r.lost(
        o,
        ['spec'],
        `${meta.name} is not the FQDN of a Service of namespace ${o.namespace}, so the profile governs no service a neutral policy can name`,
      );
      continue;
    }
    if (r.ledger.peek(o, ['spec', 'retryBudget']) !== undefined)
      r.lost(
        o,
        ['spec', 'retryBudget'],
        'a retry budget (a ratio of extra requests per original ones) has no neutral form: neutral retries are a number of attempts',
      );
    // The split of all calls.
    let backends: Obj[] | undefined;
    const overrides = r.ledger.peek<Obj[]>(o, ['spec', 'dstOverrides']);
    if (overrides?.length) {
      const parsed = overrides.map((d, i) => {
        const at = ['spec', 'dstOverrides', i];
        r.rest(o, at, ['authority', 'weight'], 'dstOverride');
        const [host, port] = String(d.authority ?? '').split(':');
        const target = serviceOfHost(host ?? '', o.namespace, r.ctx);
        const w = quantity(d.weight ?? 1);
        if (!target || w === undefined) {
          r.lost(
            o,
            at,
            `authority ${d.authority} is not a Service of this cluster, or weight ${d.weight} is not a quantity`,
          );
          return undefined;
        }
        return { at, target, port: port ? Number(port) : undefined, w };
      });
      if (parsed.every((p) => p !== undefined)) {
        const total = parsed.reduce((n, p) => n + p!.w, 0);
        const pct = parsed.map((p) => Math.round((p!.w * 100) / total));
        pct[pct.length - 1] = 100 - pct.slice(0, -1).reduce((a, b) => a + b, 0);
        backends = parsed.map((p, i) => ({
          service: p!.target.service,
          ...(p!.target.namespace !== o.namespace ? { namespace: p!.target.namespace } : {}),
          ...(p!.port ? { port: p!.port } : {}),
          ...(parsed.length > 1 ? { weight: pct[i] } : {}),
        }));
        parsed.forEach((p, i) => {
          if (Math.abs((p!.w * 100) / total - pct[i]!) > 1e-9)
            r.changed(
              o,
              p!.at,
              `relative weight ${overrides[i]!.weight} is not a whole percentage of the total; imported as ${pct[i]}`,
            );
          else r.ledger.take(o, p!.at);
        });
      }
    }
    const rules: Obj[] = [];
    (r.ledger.peek<Obj[]>(o, ['spec', 'routes']) ?? []).forEach((route, i) => {
      const at = ['spec', 'routes', i];
      r.rest(o, at, ['name', 'condition', 'timeout', 'isRetryable', 'responseClasses'], 'route');
      if (route.responseClasses !== undefined)
        r.lost(
          o,
          [...at, 'responseClasses'],
          'response classes (which responses count as failures) have no neutral form',
        );
      if (route.isRetryable === true)
        r.lost(
          o,
          [...at, 'isRetryable'],
          'retries under the profile retry budget have no neutral form (neutral retries are a number of attempts)',
        );
      else if (route.isRetryable !== undefined) r.ledger.take(o, [...at, 'isRetryable']);
      const cond = (route.condition as Obj | undefined) ?? {};
      r.rest(o, [...at, 'condition'], ['method', 'pathRegex'], 'route condition');
      const bad =
        Object.keys(cond).some((k) => k !== 'method' && k !== 'pathRegex') ||
        (cond.method !== undefined && !(HTTP_METHODS as readonly string[]).includes(cond.method as string));
      const timeout = route.timeout === undefined ? undefined : neutralDuration(route.timeout);
      if (route.timeout !== undefined && timeout === undefined)
        r.lost(
          o,
          [...at, 'timeout'],
          `duration ${JSON.stringify(route.timeout)} is not one anymesh can express`,
        );
      if (bad || (route.timeout !== undefined && timeout === undefined)) {
        r.lost(
          o,
          at,
          bad
            ? 'a condition other than a method and a path expression (all, any, not) has no neutral form, so the route is not imported'
            : 'the route is not imported: its timeout has no neutral form (above)',
        );
        return;
      }
      const match: Obj = {};
      if (cond.pathRegex !== undefined) match.path = { regex: cond.pathRegex };
      if (cond.method !== undefined) match.method = cond.method;
      r.ledger.take(o, [...at, 'condition']);
      r.ledger.take(o, [...at, 'timeout']);
      const name = String(route.name ?? '');
      const rule: Obj = {};
      if (isDnsLabel(name)) {
        rule.name = name;
        r.ledger.take(o, [...at, 'name']);
      } else if (route.name !== undefined)
        r.lost(
          o,
          [...at, 'name'],
          `route name ${JSON.stringify(name)} labels per-route metrics; it is not a DNS-1123 label, so the rule takes the default name`,
        );
      if (Object.keys(match).length) rule.matches = [match];
      if (backends) rule.backends = structuredClone(backends);
      // A route without a timeout (one that names requests for per-route metrics) still takes
      // the requests it matches away from later routes (first match), so it becomes a rule that
      // routes them to the service with nothing added; the profile translator gives such a route no
      // timeout (linkerd2 controller/api/destination/profile_translator.go: "No default timeout").
      if (timeout !== undefined) rule.timeout = timeout;
      rules.push(rule);
    });
    if (!rules.length && !backends) continue;
    rules.push({
      ...(rules.some((x) => x.name === 'default') ? {} : { name: 'default' }),
      ...(backends ? { backends } : {}),
    });
    out.push(
      neutralPolicy(
        'TrafficPolicy',
        neutralMetadata(`${svc.service}-profile`, o.namespace, meta),
        { service: svc.service, rules },
        [o.ref],
      ),
    );
  }
  return out;
}

/** `namespace/service` of every Service a ServiceProfile in the input configures. */
export function profiledServices(objects: readonly NativeObject[], r: LinkerdReader): Set<string> {
  const out = new Set<string>();
  for (const o of objects.filter((x) => isKind(x, PROFILES, 'ServiceProfile'))) {
    const svc = serviceOfHost(o.object.metadata.name, o.namespace, r.ctx);
    if (svc) out.add(`${svc.namespace}/${svc.service}`);
  }
  return out;
}
