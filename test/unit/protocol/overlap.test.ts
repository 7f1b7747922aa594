// Overlap analysis for issue 16: a port has one protocol (AM3020), and gRPC matches compare as the
// paths they are, so a service match catches its methods.
import { describe, expect, it } from 'vitest';
import { analyzeOverlaps } from '../../../src/core/overlap/index.js';
import { load, policy } from '../../support/kit.js';

const doc = (name: string, spec: string) =>
  policy('TrafficPolicy', `  service: cart\n${spec}`, { name, namespace: 'shop' });

function findings(text: string) {
  const loaded = load([{ name: 'p.yaml', text }], { overlaps: false });
  expect(loaded.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
  return analyzeOverlaps(loaded.policies).map((f) => [f.diagnostic.code, f.diagnostic.path, f.fields]);
}

describe('protocol conflicts', () => {
  it('grpc and tcp policies for one port conflict, whatever their callers', () => {
    const text = [
      doc('a', '  port: 50051\n  protocol: grpc\n  rules: [{timeout: 1s}]\n'),
      doc('b', '  port: 50051\n  protocol: tcp\n  sources: [{namespace: jobs}]\n  rules: [{timeout: 1h}]\n'),
    ].join('---\n');
    expect(findings(text)).toContainEqual(['AM3020', 'spec.protocol', ['protocol']]);
  });

  it('an http policy (the default) and a grpc one without ports conflict', () => {
    const text = [
      doc('a', '  rules: [{timeout: 1s}]\n'),
      doc('b', '  protocol: grpc\n  rules: [{timeout: 1s}]\n'),
    ].join('---\n');
    expect(findings(text).map((f) => f[0])).toContain('AM3020');
  });

  it('different ports may have different protocols', () => {
    const text = [
      doc('a', '  port: 8080\n  rules: [{timeout: 1s}]\n'),
      doc('b', '  port: 50051\n  protocol: grpc\n  rules: [{timeout: 1s}]\n'),
    ].join('---\n');
    expect(findings(text)).toEqual([]);
  });
});

describe('gRPC matches as paths', () => {
  it('a service match catches a method of that service, not of another', () => {
    const text = doc(
      'a',
      `  protocol: grpc
  rules:
    - name: cart
      matches: [{grpc: {service: shop.Cart}}]
      timeout: 1s
    - name: add
      matches: [{grpc: {service: shop.Cart, method: AddItem}}, {grpc: {service: shop.Orders, method: Get}}]
      timeout: 2s
`,
    );
    expect(findings(text)).toEqual([['AM3013', 'spec.rules[1].matches[0]', undefined]]);
  });

  it('two policies routing the same gRPC method differently conflict', () => {
    const text = [
      doc('a', '  protocol: grpc\n  rules: [{matches: [{grpc: {service: shop.Cart}}], timeout: 1s}]\n'),
      doc(
        'b',
        '  protocol: grpc\n  rules: [{matches: [{grpc: {service: shop.Cart, method: AddItem}}], timeout: 2s}]\n',
      ),
    ].join('---\n');
    expect(findings(text)).toContainEqual(['AM3011', 'spec.rules[0].matches[0]', ['timeout']]);
  });

  it('redirects and rewrites are settings two overlapping rules can disagree on', () => {
    const text = [
      doc('a', '  rules: [{matches: [{path: {prefix: /a}}], rewrite: {host: x.example.com}}]\n'),
      doc('b', '  rules: [{matches: [{path: {prefix: /a}}], rewrite: {host: y.example.com}}]\n'),
    ].join('---\n');
    expect(findings(text)).toContainEqual(['AM3011', 'spec.rules[0].matches[0]', ['rewrite']]);
  });
});
