/**
 * Protocols (issue 16): HTTP/2 policies (HTTP rules, sent to the backend over h2c), gRPC
 * policies, with matches on the gRPC service and method, and TCP policies, whose rules only pick
 * backends (weighted) and set an idle timeout.
 *
 * A policy whose protocol a mesh cannot route is left out whole: half of it would route calls by
 * rules written for another protocol. A gRPC condition left out would send more calls down its
 * rule, so it drops its match entry, as the other conditions do. A TCP split left out drops its
 * rule (the connections then go to the service itself, not where the policy sends them); an idle
 * timeout left out is only the field.
 */
import { traffic } from './fixtures.js';
import { defineFamily, type UseContext } from './types.js';

const S = 'TrafficPolicy.spec';
const M = `${S}.rules[].matches[]`;

/** The protocol of the policy a field is in, with its default. */
export function protocolOf(root: Readonly<Record<string, unknown>>): string {
  const spec = root.spec as { protocol?: string } | undefined;
  return spec?.protocol ?? 'http';
}

const isTcp = (ctx: UseContext) => protocolOf(ctx.root) === 'tcp';

/** A TCP policy's fixture: one rule, `rule` its lines after `name`. */
const tcp = (rule: string, companions: readonly string[]) =>
  traffic(rule, ['protocol.tcp', ...companions], '  protocol: tcp\n');

/** A gRPC policy's fixture, routing one match entry (`match`: the gRPC condition) to v1. */
const grpc = (match: string, companions: readonly string[] = []) =>
  traffic(
    `      matches:\n        - grpc: ${match}\n      backends: [{version: v1}]`,
    ['protocol.grpc', 'backends.version', ...companions],
    '  protocol: grpc\n',
  );

export const protocol = defineFamily({
  name: 'protocol',
  features: [
    {
      id: 'protocol.http2',
      description:
        'Send HTTP requests to the backend over HTTP/2 in cleartext, h2c (spec.protocol: http2): the rules are those of an http policy (matches, retries, timeouts, faults, headers, mirroring, CORS).',
      uses: [{ field: `${S}.protocol`, scope: 'policy', when: (v) => v === 'http2' }],
      fixture: traffic('      backends: [{version: v1}]', ['backends.version'], '  protocol: http2\n'),
    },
    {
      id: 'protocol.grpc',
      description:
        'Route gRPC calls (spec.protocol: grpc): the mesh treats the port as gRPC (HTTP/2) and the rules may match gRPC services and methods.',
      uses: [{ field: `${S}.protocol`, scope: 'policy', when: (v) => v === 'grpc' }],
      fixture: traffic('      backends: [{version: v1}]', ['backends.version'], '  protocol: grpc\n'),
    },
    {
      id: 'protocol.grpc.service',
      description: 'Match the gRPC service of a call (the package-qualified name, e.g. shop.Cart).',
      uses: [{ field: `${M}.grpc.service`, scope: 'matchEntry' }],
      fixture: grpc('{service: shop.Cart}'),
    },
    {
      id: 'protocol.grpc.method',
      description: 'Match the gRPC method of a call (e.g. AddItem), with or without its service.',
      uses: [{ field: `${M}.grpc.method`, scope: 'matchEntry' }],
      fixture: grpc('{service: shop.Cart, method: AddItem}', ['protocol.grpc.service']),
    },
    {
      id: 'protocol.tcp',
      description:
        'Route TCP connections (spec.protocol: tcp): rules pick backends for whole connections, whatever they carry.',
      uses: [{ field: `${S}.protocol`, scope: 'policy', when: (v) => v === 'tcp' }],
      fixture: tcp('      backends: [{version: v1}]', ['backends.version']),
    },
    {
      id: 'protocol.tcp.weighted',
      description: 'Split TCP connections between several backends by weight.',
      uses: [
        {
          field: `${S}.rules[].backends`,
          scope: 'rule',
          when: (v, ctx) => isTcp(ctx) && Array.isArray(v) && v.length > 1,
        },
      ],
      related: [`${S}.rules[].backends[].weight`],
      fixture: tcp('      backends: [{version: v1, weight: 80}, {version: v2, weight: 20}]', [
        'backends.version',
      ]),
    },
    {
      id: 'protocol.tcp.idleTimeout',
      description:
        'Close a TCP connection after it has been idle this long (rules[].timeout of a tcp policy).',
      uses: [{ field: `${S}.rules[].timeout`, scope: 'field', when: (_v, ctx) => isTcp(ctx) }],
      fixture: tcp('      backends: [{version: v1}]\n      timeout: 1h', ['backends.version']),
    },
  ],
  explain: [
    { field: 'TrafficPolicy.spec.protocol', features: 'protocol' },
    { field: 'TrafficPolicy.spec.rules.matches.grpc', features: 'protocol.grpc', whole: true },
  ],
});
