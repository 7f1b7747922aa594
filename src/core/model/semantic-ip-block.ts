/**
 * Semantic checks of an AccessPolicy caller given by network (`from[].ipBlock`): the cidr and each
 * `except` are IPv4 or IPv6 networks (or single addresses), and every `except` lies inside the cidr,
 * as Kubernetes NetworkPolicy requires of ipBlock.except and Linkerd's NetworkAuthentication reads
 * `networks[].except` (linkerd2 policy-controller k8s/index/src/inbound/server_authorization.rs).
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { FieldPath } from '../loader/positions.js';
import type { Checker } from './semantic.js';

/** A network as family, address bits and prefix length; or why the text is not one. */
export type Network = { v6: boolean; bits: bigint; prefix: number };

export function parseNetwork(text: string): Network | string {
  const [addr = '', len, extra] = text.split('/');
  if (extra !== undefined) return 'a network has one /';
  const v6 = isIPv6(addr);
  if (!v6 && !isIPv4(addr)) return `${JSON.stringify(addr)} is not an IPv4 or IPv6 address`;
  const width = v6 ? 128 : 32;
  if (len !== undefined && !/^[0-9]{1,3}$/.test(len))
    return `prefix length ${JSON.stringify(len)} is not a number`;
  const prefix = len === undefined ? width : Number(len);
  if (prefix > width) return `prefix length ${prefix} is longer than the ${width} bits of the address`;
  return { v6, bits: addressBits(addr, v6), prefix };
}

function addressBits(addr: string, v6: boolean): bigint {
  if (!v6) return addr.split('.').reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n);
  // An embedded IPv4 tail (::ffff:10.0.0.1) is two groups.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(addr);
  let text = addr;
  if (tail) {
    const v4 = addressBits(tail[1]!, false);
    text = `${addr.slice(0, -tail[1]!.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((n, g) => (n << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

/** True when `inner` lies inside `outer` (same family, longer or equal prefix, same leading bits). */
export function contains(outer: Network, inner: Network): boolean {
  if (outer.v6 !== inner.v6 || inner.prefix < outer.prefix) return false;
  const width = BigInt(outer.v6 ? 128 : 32);
  const shift = width - BigInt(outer.prefix);
  return outer.bits >> shift === inner.bits >> shift;
}

export function checkIpBlock(c: Checker, block: { cidr: string; except?: string[] }, at: FieldPath): void {
  const outer = parseNetwork(block.cidr);
  if (typeof outer === 'string') {
    c.report('BadIpBlock', { what: 'cidr', got: JSON.stringify(block.cidr), reason: outer }, [...at, 'cidr']);
    return;
  }
  block.except?.forEach((e, i) => {
    const inner = parseNetwork(e);
    const reason =
      typeof inner === 'string'
        ? inner
        : contains(outer, inner)
          ? undefined
          : `it is not inside cidr ${block.cidr}`;
    if (reason)
      c.report('BadIpBlock', { what: 'except network', got: JSON.stringify(e), reason }, [
        ...at,
        'except',
        i,
      ]);
  });
}
