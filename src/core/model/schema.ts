/**
 * The policy model, defined once as JSON Schema (through TypeBox) from which the TypeScript types,
 * the validator, `anymesh schema` and `anymesh explain` all come. Every field has a description that
 * states its default. Field names follow DESIGN.md and are a contract: add, never rename.
 *
 * Each kind's schema is in kinds/<kind>.ts; this module is the catalogue of kinds.
 *
 * The schema checks shape; what JSON Schema cannot say well (weights summing to 100, RE2 syntax,
 * versions being defined, durations being in range) is checked in `semantic.ts`.
 */
import { type AccessPolicy, AccessPolicySchema } from './kinds/access-policy.js';
import { type BackendPolicy, BackendPolicySchema } from './kinds/backend-policy.js';
import { type MeshInstallation, MeshInstallationSchema } from './kinds/mesh-installation.js';
import { type MTLSPolicy, MTLSPolicySchema } from './kinds/mtls-policy.js';
import { type TrafficPolicy, TrafficPolicySchema } from './kinds/traffic-policy.js';

export type { AccessPolicy } from './kinds/access-policy.js';
export type { BackendPolicy } from './kinds/backend-policy.js';
export { OUTLIER_DEFAULTS, outlierDetection } from './kinds/backend-policy.js';
export { API_VERSION, DURATION_PATTERN, HTTP_METHODS } from './kinds/common.js';
export type { MeshInstallation } from './kinds/mesh-installation.js';
export type { MTLSPolicy } from './kinds/mtls-policy.js';
export type {
  BackendT,
  GatewayT,
  GrpcMatchT,
  HeaderMatchT,
  PathModifierT,
  Protocol,
  RedirectT,
  RewriteT,
  RouteMatchT,
  Rule,
  SourceT,
  TrafficPolicy,
} from './kinds/traffic-policy.js';
export { GRPC_CODES, PROTOCOLS, REDIRECT_CODES, RETRY_ON } from './kinds/traffic-policy.js';

export const KIND_SCHEMAS = {
  TrafficPolicy: TrafficPolicySchema,
  AccessPolicy: AccessPolicySchema,
  MTLSPolicy: MTLSPolicySchema,
  BackendPolicy: BackendPolicySchema,
  MeshInstallation: MeshInstallationSchema,
} as const;

export type Kind = keyof typeof KIND_SCHEMAS;
export const KINDS = Object.keys(KIND_SCHEMAS) as Kind[];

export type Policy = TrafficPolicy | AccessPolicy | MTLSPolicy | BackendPolicy | MeshInstallation;
