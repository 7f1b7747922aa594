/**
 * applyChangesNothing decides, without asking the server, that a server-side apply would change
 * nothing; when it says true, apply and diff send no dry-run for the object. It must never say
 * true for an apply that would change a value or field ownership. The managedFields below are
 * in the shape kube-apiserver writes for a server-side apply by field manager `anymesh`.
 */
import { describe, expect, it } from 'vitest';
import type { LiveObject } from '../../../src/cluster/objects.js';
import { applyChangesNothing } from '../../../src/cluster/unchanged.js';
import type { KubeObject } from '../../../src/core/adapter.js';

const desired = (): KubeObject =>
  ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'reviews', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'anymesh' } },
    spec: {
      hosts: ['reviews'],
      http: [{ name: 'default', route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 100 }] }],
    },
  }) as KubeObject;

const owned = () => ({
  'f:metadata': { 'f:labels': { 'f:app.kubernetes.io/managed-by': {} } },
  'f:spec': { 'f:hosts': {}, 'f:http': {} },
});

function live(fields: unknown = owned(), extra: Record<string, unknown> = {}): LiveObject {
  const d = desired();
  return {
    ...d,
    metadata: {
      ...d.metadata,
      uid: 'u1',
      resourceVersion: '42',
      generation: 1,
      managedFields: [
        {
          manager: 'anymesh',
          operation: 'Apply',
          apiVersion: 'networking.istio.io/v1',
          time: '2026-12-01T00:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: fields,
        },
      ],
    },
    ...extra,
  } as LiveObject;
}

describe('applyChangesNothing', () => {
  it('is true for the object as the last apply left it', () => {
    expect(applyChangesNothing(live(), desired(), 'anymesh')).toBe(true);
  });

  it('is true when the live object has defaults and other fields beside ours', () => {
    const l = live();
    (l.metadata as Record<string, unknown>).annotations = { other: 'x' };
    (l as unknown as { status: unknown }).status = { observedGeneration: 1 };
    expect(applyChangesNothing(l, desired(), 'anymesh')).toBe(true);
  });

  it('is false when a value differs', () => {
    const d = desired();
    (d as unknown as { spec: { hosts: string[] } }).spec.hosts = ['ratings'];
    expect(applyChangesNothing(live(), d, 'anymesh')).toBe(false);
  });

  it('is false when the apply would drop a field it owns', () => {
    const fields = owned();
    (fields['f:spec'] as Record<string, unknown>)['f:gateways'] = {};
    const l = live(fields);
    (l as unknown as { spec: Record<string, unknown> }).spec.gateways = ['mesh'];
    expect(applyChangesNothing(l, desired(), 'anymesh')).toBe(false);
  });

  it('is false when another manager took a field over (ours no longer owns it)', () => {
    const fields = owned();
    delete (fields['f:spec'] as Record<string, unknown>)['f:hosts'];
    expect(applyChangesNothing(live(fields), desired(), 'anymesh')).toBe(false);
  });

  it('is false without an Apply entry of the manager, or at another apiVersion', () => {
    const l = live();
    l.metadata.managedFields![0]!.operation = 'Update';
    expect(applyChangesNothing(l, desired(), 'anymesh')).toBe(false);
    const v = live();
    v.metadata.managedFields![0]!.apiVersion = 'networking.istio.io/v1beta1';
    expect(applyChangesNothing(v, desired(), 'anymesh')).toBe(false);
    expect(applyChangesNothing(live(), desired(), 'someone-else')).toBe(false);
  });

  it('matches keyed list items by their keys and checks inside them', () => {
    const d = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'n' },
      spec: { ports: [{ name: 'http', port: 80 }] },
    } as unknown as KubeObject;
    const fields = {
      'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:name': {}, 'f:port': {} } } },
    };
    const l = {
      ...d,
      metadata: {
        name: 's',
        namespace: 'n',
        managedFields: [
          {
            manager: 'anymesh',
            operation: 'Apply',
            apiVersion: 'v1',
            fieldsType: 'FieldsV1',
            fieldsV1: fields,
          },
        ],
      },
      spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }] },
    } as unknown as LiveObject;
    // protocol is a server default and part of the key: not matched to the item, so not decided
    // here (the dry-run decides).
    expect(applyChangesNothing(l, d, 'anymesh')).toBe(false);
    const keyedByPort = {
      'f:spec': { 'f:ports': { 'k:{"port":80}': { '.': {}, 'f:name': {}, 'f:port': {} } } },
    };
    l.metadata.managedFields![0]!.fieldsV1 = keyedByPort;
    expect(applyChangesNothing(l, d, 'anymesh')).toBe(true);
    (d as unknown as { spec: { ports: { name: string }[] } }).spec.ports[0]!.name = 'web';
    expect(applyChangesNothing(l, d, 'anymesh')).toBe(false);
  });
});
