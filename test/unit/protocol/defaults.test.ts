// Omitted timeout and retries (AM3017) are about forwarded requests: a TCP policy's rules and a
// redirect rule have none, so no mesh default differs for them; a gRPC policy's rules count as gRPC.
import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../src/adapters/index.js';
import { defaultDifferences } from '../../../src/core/defaults.js';
import { load, traffic } from '../../support/kit.js';

const differences = (spec: string, mesh: string) =>
  defaultDifferences(load(traffic(spec, 'p', 'shop')).policies, ADAPTERS[mesh]!).map((d) => d.path);

describe('mesh defaults of omitted timeout and retries', () => {
  it('do not apply to TCP policies', () => {
    for (const mesh of ['istio', 'appmesh'])
      expect(differences('  service: db\n  port: 5432\n  protocol: tcp\n  rules: [{}]\n', mesh)).toEqual([]);
  });
  it('do not apply to redirect rules, and still to the rules beside them', () => {
    expect(
      differences(
        '  service: web\n  port: 80\n  rules:\n    - redirect: {scheme: https}\n    - timeout: 1s\n',
        'appmesh',
      ),
    ).toEqual(['spec.rules[1]']);
  });
  it("a grpc policy's rules meet Istio's gRPC retry default", () => {
    expect(
      differences('  service: cart\n  port: 50051\n  protocol: grpc\n  rules: [{timeout: 1s}]\n', 'istio'),
    ).toEqual(['spec.rules[0]']);
    expect(differences('  service: cart\n  port: 80\n  rules: [{timeout: 1s}]\n', 'istio')).toEqual([]);
  });
});
