/**
 * App Mesh is registered, never installed: AWS ended support on 2026-09-30, so `anymesh register
 * appmesh` verifies an existing aws-app-mesh-controller-for-k8s (installed with AWS's eks-charts
 * appmesh-controller chart) and records it; `install` refuses with this advice.
 */
import type { RegisterOnly } from '../../core/install-catalogue.js';

export const appmeshInstall: RegisterOnly = {
  method: 'register',
  endOfSupport: '2026-09-30',
  controller: { kind: 'Deployment', name: 'appmesh-controller', defaultNamespace: 'appmesh-system' },
  crds: [
    'meshes.appmesh.k8s.aws',
    'virtualnodes.appmesh.k8s.aws',
    'virtualservices.appmesh.k8s.aws',
    'virtualrouters.appmesh.k8s.aws',
  ],
  policyResources: [
    { group: 'appmesh.k8s.aws', version: 'v1beta2', plural: 'virtualservices', kind: 'VirtualService' },
    { group: 'appmesh.k8s.aws', version: 'v1beta2', plural: 'virtualrouters', kind: 'VirtualRouter' },
    { group: 'appmesh.k8s.aws', version: 'v1beta2', plural: 'virtualnodes', kind: 'VirtualNode' },
    // The Mesh (unless appmesh.emitMesh=false) and the per-version Services the virtual nodes
    // discover their pods by; Linkerd and Istio ambient write leaf Services too.
    { group: 'appmesh.k8s.aws', version: 'v1beta2', plural: 'meshes', kind: 'Mesh' },
    { group: '', version: 'v1', plural: 'services', kind: 'Service', shared: true },
  ],
  recordName: 'anymesh-registration',
  advice:
    'AWS ends support for App Mesh on 2026-09-30: anymesh does not install it; plan a move to Istio, Linkerd or Consul (anymesh compile --mesh <other>).',
  installHint:
    "install it with AWS's eks-charts appmesh-controller chart first; anymesh does not install App Mesh",
};
