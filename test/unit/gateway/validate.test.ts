/**
 * TrafficPolicy spec.gateway: what validation refuses (sources at a gateway, TCP without a
 * listener port or with host names, host names that are not Gateway API Hostnames, a host name
 * twice) and how policies of one gateway compete (overlap by gateway, listener port and host name,
 * not by service).
 */
import { describe, expect, it } from 'vitest';
import { codes, load, traffic } from '../../support/kit.js';

const spec = (gateway: string, rules = '  rules:\n    - {}', more = '') =>
  `  service: reviews\n  port: 9080\n  gateway: ${gateway}\n${more}${rules}`;

const diagnostics = (text: string) => codes(load(text).diagnostics);

describe('TrafficPolicy spec.gateway validation', () => {
  it('accepts a gateway by name, with namespace and host names', () => {
    expect(
      diagnostics(
        traffic(spec('{name: public, namespace: edge, hostnames: [a.example.com, "*.example.org"]}')),
      ),
    ).toEqual([]);
  });

  it('refuses sources (the gateway is the caller), AM2053', () => {
    expect(
      diagnostics(traffic(spec('{name: public}', undefined, '  sources: [{namespace: shop}]\n'))),
    ).toEqual(['AM2053']);
  });

  it('takes protocol tcp only with a listener port and without host names, AM2053', () => {
    const tcp = (gateway: string) => load(traffic(spec(gateway, undefined, '  protocol: tcp\n'))).diagnostics;
    const [noPort] = tcp('{name: public}');
    expect(noPort).toMatchObject({ code: 'AM2053', path: 'spec.protocol' });
    expect(noPort!.message).toContain('spec.gateway.port');
    const [hosts, ...rest] = tcp('{name: public, port: 31400, hostnames: [a.example.com]}');
    expect(rest).toEqual([]);
    expect(hosts).toMatchObject({ code: 'AM2053', path: 'spec.gateway.hostnames' });
    expect(codes(tcp('{name: public, port: 31400}'))).toEqual([]);
    // The listener port is a port: 1..65535.
    expect(codes(tcp('{name: public, port: 0}'))).not.toEqual([]);
  });

  it.each([['Shop.example.com'], ['shop.example.com:443'], ['10.0.0.1'], ['*'], ['a.*.example.com']])(
    'refuses host name %s (AM2054), and a host name given twice (AM2025)',
    (host) => {
      expect(diagnostics(traffic(spec(`{name: public, hostnames: [${JSON.stringify(host)}]}`)))).toEqual([
        'AM2054',
      ]);
      expect(diagnostics(traffic(spec('{name: public, hostnames: [a.example.com, a.example.com]}')))).toEqual(
        ['AM2025'],
      );
    },
  );

  it('refuses a gateway name that is not a DNS subdomain', () => {
    expect(diagnostics(traffic(spec('{name: Public_GW}')))).toEqual(['AM2016']);
  });
});

describe('policies of one gateway compete by listener port and host name', () => {
  const two = (a: string, b: string, service = 'details') =>
    `${traffic(spec(a), 'one')}---\n${traffic(spec(b).replace('service: reviews', `service: ${service}`), 'two')}`;

  it('two catch-alls for the same host at one gateway conflict, whatever their services (AM3011)', () => {
    expect(
      diagnostics(
        two('{name: public, hostnames: [a.example.com]}', '{name: public, hostnames: [a.example.com]}'),
      ),
    ).toEqual(['AM3011']);
    // A wildcard takes the name under it; every host takes them all.
    expect(
      diagnostics(
        two('{name: public, hostnames: ["*.example.com"]}', '{name: public, hostnames: [a.example.com]}'),
      ),
    ).toEqual(['AM3011']);
    expect(diagnostics(two('{name: public}', '{name: public, hostnames: [a.example.com]}'))).toEqual([
      'AM3011',
    ]);
  });

  it('different host names, different gateways, or a gateway and the mesh never compete', () => {
    expect(
      diagnostics(
        two('{name: public, hostnames: [a.example.com]}', '{name: public, hostnames: [b.example.com]}'),
      ),
    ).toEqual([]);
    // example.com is not under *.example.com (Gateway API: a suffix match of at least one label).
    expect(
      diagnostics(
        two('{name: public, hostnames: ["*.example.com"]}', '{name: public, hostnames: [example.com]}'),
      ),
    ).toEqual([]);
    expect(diagnostics(two('{name: public}', '{name: public, namespace: edge}'))).toEqual([]);
    // Different listener ports take different requests; one port meets every port.
    expect(diagnostics(two('{name: public, port: 80}', '{name: public, port: 8080}'))).toEqual([]);
    expect(diagnostics(two('{name: public, port: 80}', '{name: public}'))).toEqual(['AM3011']);
    expect(diagnostics(two('{name: public, port: 80}', '{name: public, port: 80}'))).toEqual(['AM3011']);
    const mesh = traffic('  service: reviews\n  port: 9080\n  rules:\n    - timeout: 1s', 'inside');
    expect(diagnostics(`${traffic(spec('{name: public}'), 'one')}---\n${mesh}`)).toEqual([]);
  });
});
