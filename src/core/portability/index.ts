/** Portability checks: what each policy keeps or loses on each mesh (see check.ts). */
export {
  checkPortability,
  type Loss,
  type LossKind,
  type MeshReport,
  type PolicyMeshResult,
  type PolicyReport,
  type PortabilityOptions,
  type PortabilityReport,
  type Verdict,
} from './check.js';
export { type PortabilityJson, portabilityJson, portabilityTable, REPORT_VERSION } from './report.js';
