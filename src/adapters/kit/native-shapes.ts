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

const SERVICE: ObjectShape = {
  from: 'Service v1 (Kubernetes core API)',
  spec: {
    object: {
      selector: { map: 'string' },
      ports: {
        list: {
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
 * The shape of an object of `apiVersion` and `kind`, or undefined when its version has no CRD
 * here (an older or newer version than the CRDs: its fields are left to the importer).
 */
export function nativeShapeOf(apiVersion: string, kind: string): ObjectShape | undefined {
  if (apiVersion === 'v1' && kind === 'Service') return SERVICE;
  const key = `${apiVersion}/${kind}`;
  if (!cache.has(key)) {
    const n = Object.hasOwn(SHAPES.index, key) ? SHAPES.index[key] : undefined;
    cache.set(
      key,
      n === undefined ? undefined : { spec: SHAPES.shapes[n]!, from: `${kind} ${apiVersion} CRD` },
    );
  }
  return cache.get(key);
}
