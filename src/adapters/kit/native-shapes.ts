/**
 * The field types of the native kinds the importers read, for the check before import
 * (core/native-shape.ts). The CRD kinds' types are digested from the official CRDs into
 * native-shapes.json by scripts/native-shapes.js (regenerate it when shared/crds changes; a unit
 * test fails while it is stale). The core Service has no CRD: its few fields the importers read
 * are typed here, after the Kubernetes API (core/v1 ServiceSpec, ServicePort).
 */
import type { NativeShape, ObjectShape } from '../../core/native-shape.js';
import digest from './native-shapes.json' with { type: 'json' };

interface ShapesFile {
  readonly index: Readonly<Record<string, number>>;
  readonly sources: Readonly<Record<string, string>>;
  readonly shapes: readonly NativeShape[];
}

const SHAPES = digest as unknown as ShapesFile;

// Open objects: a Service has many more fields (type, clusterIP, ...) than the importers read.
const SERVICE: ObjectShape = {
  from: 'Service v1 (Kubernetes core API)',
  spec: {
    open: true,
    object: {
      selector: { map: 'string' },
      ports: {
        list: {
          open: true,
          object: {
            name: 'string',
            port: 'integer',
            targetPort: 'int-or-string',
            protocol: 'string',
            appProtocol: 'string',
          },
        },
      },
    },
  },
};

const cache = new Map<string, ObjectShape | undefined>();

/**
 * The shape of an object of `apiVersion` and `kind`. A version the CRDs here do not serve (an
 * older one, as Gateway API's v1alpha2 HTTPRoute of earlier docs, which the importers still read)
 * is checked with a served version of the same kind, the first the CRD lists (its newest): the
 * types of a field rarely change between versions, and an unchecked object could make an
 * importer fail where the check names the field. Undefined for a kind with no CRD here.
 */
export function nativeShapeOf(apiVersion: string, kind: string): ObjectShape | undefined {
  if (apiVersion === 'v1' && kind === 'Service') return SERVICE;
  const key = `${apiVersion}/${kind}`;
  if (!cache.has(key)) cache.set(key, lookup(apiVersion, kind));
  return cache.get(key);
}

function lookup(apiVersion: string, kind: string): ObjectShape | undefined {
  const exact = `${apiVersion}/${kind}`;
  if (Object.hasOwn(SHAPES.index, exact))
    return { spec: SHAPES.shapes[SHAPES.index[exact]!]!, from: `${kind} ${apiVersion} CRD` };
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const other = Object.keys(SHAPES.index).find((k) => {
    const [g, , kd] = k.split('/');
    return g === group && kd === kind;
  });
  if (!other) return undefined;
  const served = other.slice(0, other.lastIndexOf('/'));
  return {
    spec: SHAPES.shapes[SHAPES.index[other]!]!,
    from: `${kind} ${served} CRD (read for ${apiVersion.slice(group.length + 1)}, which the CRDs here do not serve)`,
  };
}
