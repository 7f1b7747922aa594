/**
 * The protocol a Kubernetes Service declares for its ports, as Istio reads it
 * (istio/istio pkg/config/kube/conversion.go `ConvertProtocol`, 86c9f01): `appProtocol` when set,
 * else the port name up to its first `-` (`grpc`, `grpc-api`), compared without case; `grpc-web`
 * is its own protocol (not gRPC), and a UDP port is UDP whatever its name. The import asks only
 * whether calls to a port are gRPC: a Service is not mesh policy and is not imported itself (it is
 * listed, with what was read from it, import.ts).
 */
import type { NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import type { Obj } from './import-reader.js';

/** What a Service says about one port: gRPC or not, and where it says so. */
export interface DeclaredPort {
  readonly service: NativeObject;
  readonly port: number;
  readonly grpc: boolean;
  /** The field that decided (`appProtocol` or `name`), for messages; undefined: nothing declared. */
  readonly path?: FieldPath;
  readonly text?: string;
}

/** Istio's protocol of a Service port, lower-case, or undefined when the port declares none. */
export function portProtocol(
  p: Obj,
): { protocol: string; field: 'appProtocol' | 'name' | 'protocol' } | undefined {
  if (typeof p.protocol === 'string' && p.protocol.toUpperCase() === 'UDP')
    return { protocol: 'udp', field: 'protocol' };
  const field = typeof p.appProtocol === 'string' ? 'appProtocol' : 'name';
  const name = p[field];
  if (typeof name !== 'string' || !name) return undefined;
  const lower = name.toLowerCase();
  if (lower.startsWith('grpc-web')) return { protocol: 'grpc-web', field };
  const cut = lower.indexOf('-');
  return { protocol: cut >= 0 ? lower.slice(0, cut) : lower, field };
}

/** The Services of the input by `namespace/name`, and which of them the import read. */
export class ServicePorts {
  private readonly services = new Map<string, NativeObject>();
  /** Services a policy's protocol was read from, with the ports read (the skip reason says so). */
  readonly read = new Map<NativeObject, Set<number>>();

  constructor(objects: readonly NativeObject[]) {
    for (const o of objects)
      if (o.object.apiVersion === 'v1' && o.object.kind === 'Service')
        this.services.set(`${o.namespace}/${o.object.metadata.name}`, o);
  }

  /**
   * The declared ports of `service` that calls to `port` use (every port when undefined), or
   * undefined when the Service is not in the input or has no such port.
   */
  declared(namespace: string, service: string, port: number | undefined): DeclaredPort[] | undefined {
    const o = this.services.get(`${namespace}/${service}`);
    const ports = ((o?.object.spec as Obj | undefined)?.ports as Obj[] | undefined) ?? [];
    const out: DeclaredPort[] = [];
    ports.forEach((p, i) => {
      if (!p || typeof p !== 'object' || typeof p.port !== 'number') return;
      if (port !== undefined && p.port !== port) return;
      const declared = portProtocol(p);
      out.push({
        service: o!,
        port: p.port,
        grpc: declared?.protocol === 'grpc',
        ...(declared
          ? {
              path: ['spec', 'ports', i, declared.field],
              text: `${declared.field} ${JSON.stringify(p[declared.field])}`,
            }
          : {}),
      });
    });
    return out.length ? out : undefined;
  }

  /** Records that the protocol of these ports was read (for the Service's listing). */
  markRead(ports: readonly DeclaredPort[]): void {
    for (const d of ports) {
      const set = this.read.get(d.service) ?? new Set<number>();
      set.add(d.port);
      this.read.set(d.service, set);
    }
  }
}
