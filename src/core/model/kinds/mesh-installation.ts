/** MeshInstallation: a mesh to install on the cluster (`anymesh install --from`). */
import { type Static, Type } from '@sinclair/typebox';
import { Doc, strict } from './common.js';

export const MeshInstallationSpec = Type.Object(
  {
    // One of the registered meshes: checked against the registry (semantic.ts), and listed as an
    // enum in the published schema (publish.ts), since core cannot name the meshes itself.
    mesh: Type.String({
      minLength: 1,
      description: 'The mesh, by its id (`anymesh capabilities` lists them). Required.',
    }),
    version: Type.Optional(
      Type.String({ description: "The mesh version. Default: the catalogue's newest." }),
    ),
    namespace: Type.Optional(
      Type.String({ description: "The control plane's namespace. Default: the mesh's own." }),
    ),
    values: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'Helm values passed to the charts. Default: none.',
      }),
    ),
  },
  { ...strict, description: 'A mesh to install on the cluster (used by `anymesh install`). Required.' },
);

export const MeshInstallationSchema = Doc('MeshInstallation', MeshInstallationSpec, 'A mesh to install.');

export type MeshInstallation = Static<typeof MeshInstallationSchema>;
