/** MTLSPolicy: the mutual TLS mode of the mesh, a namespace or one service. */
import { type Static, Type } from '@sinclair/typebox';
import { Doc, OnUnsupported, Selector, StringEnum, strict } from './common.js';

export const MTLSPolicySpec = Type.Object(
  {
    mode: StringEnum(
      ['strict', 'permissive'],
      'strict: only mutual TLS; permissive: mutual TLS and plaintext. Required.',
    ),
    scope: Type.Optional(
      StringEnum(
        ['mesh', 'namespace', 'service'],
        'What the mode covers. Default: service when spec.service is set, else namespace.',
      ),
    ),
    service: Type.Optional(
      Type.String({
        description: 'The one Service covered (scope service). Default: none (the scope covers more).',
      }),
    ),
    selector: Type.Optional(Selector),
    onUnsupported: Type.Optional(OnUnsupported),
  },
  { ...strict, description: 'Mutual TLS between workloads. Required.' },
);

export const MTLSPolicySchema = Doc('MTLSPolicy', MTLSPolicySpec, 'Mutual TLS mode.');

export type MTLSPolicy = Static<typeof MTLSPolicySchema>;
