import { describe, expect, it } from 'vitest';
import { type CapabilityCell, cellForProtocol } from '../../../src/core/capabilities.js';

const cell = (support: CapabilityCell['support'], reason: string): CapabilityCell => ({
  support,
  reason,
  docs: 'd',
});

describe('cellForProtocol', () => {
  const base: CapabilityCell = {
    ...cell('full', 'grpc route'),
    byProtocol: { http: cell('none', 'http route') },
  };

  it('takes the entry of the policy protocol, and the cell itself for protocols without one', () => {
    expect(cellForProtocol(base, 'http').support).toBe('none');
    expect(cellForProtocol(base, 'grpc')).toBe(base);
    expect(cellForProtocol(base, 'tcp')).toBe(base);
    expect(cellForProtocol(base, undefined)).toBe(base);
  });

  it("lets http's entry hold for http2 (HTTP rules), unless the cell has an http2 entry of its own", () => {
    expect(cellForProtocol(base, 'http2').reason).toBe('http route');
    const own: CapabilityCell = {
      ...base,
      byProtocol: { ...base.byProtocol, http2: cell('partial', 'h2 route') },
    };
    expect(cellForProtocol(own, 'http2').reason).toBe('h2 route');
  });
});
