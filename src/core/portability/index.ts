/** Portability checks: what each policy keeps or loses on each mesh (see check.ts). */
export { checkPortability } from './check.js';
export { portabilityJson, portabilityTable } from './report.js';
