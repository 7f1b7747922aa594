/** Interned: equal output parts made once, shared and frozen. */
import { describe, expect, it } from 'vitest';
import { Interned } from '../../../src/core/interned.js';
import { compileFor } from '../../support/kit.js';

describe('Interned', () => {
  it('makes a value once per key, frozen all the way down, and forgets all when full', () => {
    const cache = new Interned<{ ports: { port: number }[] }>(2);
    let made = 0;
    const make = (port: number) => () => {
      made++;
      return { ports: [{ port }] };
    };
    const a = cache.get('a', make(1));
    expect(cache.get('a', make(1))).toBe(a);
    expect(made).toBe(1);
    expect(Object.isFrozen(a) && Object.isFrozen(a.ports) && Object.isFrozen(a.ports[0])).toBe(true);
    expect(() => {
      (a.ports[0] as { port: number }).port = 2;
    }).toThrow(TypeError);
    cache.get('b', make(2));
    cache.get('c', make(3)); // full: cleared, then c kept
    expect(cache.get('a', make(1))).not.toBe(a);
    expect(made).toBe(4);
  });
});

describe('App Mesh output shares its plain listeners', () => {
  const policy = (name: string, port: number, timeout = '') => `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  service: ${name}
  port: ${port}
  rules: [{name: default${timeout}}]
`;
  it('between nodes and routers of one port, never with a node that has listener settings', () => {
    const r = compileFor(
      'appmesh',
      [policy('a', 8080), policy('b', 8080), policy('c', 9090), policy('d', 8080, ', timeout: 30s')].join(
        '---\n',
      ),
    );
    const listeners = (kind: string, name: string) =>
      (r.resources.find((o) => o.kind === kind && o.metadata.name === name)!.spec as { listeners: unknown[] })
        .listeners;
    expect(listeners('VirtualNode', 'a')).toBe(listeners('VirtualNode', 'b'));
    expect(listeners('VirtualRouter', 'a')).toBe(listeners('VirtualNode', 'a'));
    expect(listeners('VirtualNode', 'c')).not.toBe(listeners('VirtualNode', 'a'));
    expect(listeners('VirtualNode', 'c')).toEqual([{ portMapping: { port: 9090, protocol: 'http' } }]);
    // d's 30 s timeout is raised on its node's listener (above App Mesh's 15 s default): its own.
    expect(listeners('VirtualNode', 'd')).not.toBe(listeners('VirtualNode', 'a'));
    expect(listeners('VirtualNode', 'd')).toEqual([
      {
        portMapping: { port: 8080, protocol: 'http' },
        timeout: { http: { perRequest: { unit: 's', value: 30 } } },
      },
    ]);
  });
});
