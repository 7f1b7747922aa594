/**
 * Semantic checks of a TrafficPolicy bound to an ingress gateway (spec.gateway): what only calls
 * inside the mesh have (sources) is refused, TCP routes name the listener port they are bound to
 * and no host names (a connection has none), and
 * host names are Gateway API Hostnames (gateway-api v1.6.1 HTTPRoute CRD, spec.hostnames items:
 * an RFC 1123 name, or one under a leading "*." wildcard; no port, no IP address).
 */
import type { TrafficPolicy } from './schema.js';
import type { Checker } from './semantic.js';

const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IPV4 = /^[0-9]+(\.[0-9]+){3}$/;

/** Whether a text is a host name a gateway policy can name (importers ask it of native hosts). */
export function isGatewayHostname(h: string): boolean {
  return h.length <= 253 && HOSTNAME.test(h) && !IPV4.test(h);
}

export function checkGateway(c: Checker, p: TrafficPolicy): void {
  const g = p.spec.gateway;
  if (!g) return;
  c.dnsSubdomain(g.name, ['spec', 'gateway', 'name'], 'gateway name');
  if (g.namespace !== undefined) c.dnsLabel(g.namespace, ['spec', 'gateway', 'namespace'], 'namespace');
  const seen = new Set<string>();
  g.hostnames?.forEach((h, i) => {
    const at = ['spec', 'gateway', 'hostnames', i];
    if (!isGatewayHostname(h))
      c.report(
        'BadHostname',
        {
          got: JSON.stringify(h),
          rule: 'lower-case letters, digits, - and ., optionally under a leading *. (shop.example.com, *.example.com), without a port; not an IP address',
        },
        at,
      );
    else if (seen.has(h)) c.report('DuplicateEntry', { got: h, what: 'host name' }, at);
    seen.add(h);
  });
  if (p.spec.sources)
    c.report(
      'GatewayField',
      {
        field: 'sources',
        hint: 'the gateway is the caller; to govern some callers inside the mesh, write a policy without spec.gateway',
      },
      ['spec', 'sources'],
    );
  if (p.spec.protocol === 'tcp' && g.port === undefined)
    c.report(
      'GatewayField',
      {
        field: 'protocol tcp without spec.gateway.port',
        hint: "a gateway's TCP routes are bound to one of its listener ports; name it in spec.gateway.port",
      },
      ['spec', 'protocol'],
    );
  if (p.spec.protocol === 'tcp' && g.hostnames)
    c.report(
      'GatewayField',
      {
        field: 'hostnames with protocol tcp',
        hint: 'a TCP connection carries no host name; remove spec.gateway.hostnames, or route HTTP at the gateway',
      },
      ['spec', 'gateway', 'hostnames'],
    );
}
