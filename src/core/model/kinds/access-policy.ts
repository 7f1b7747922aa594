/** AccessPolicy: who may call a service. */
import { type Static, Type } from '@sinclair/typebox';
import { Doc, HeaderMatch, Method, OnUnsupported, Port, Selector, StringEnum, strict } from './common.js';

/**
 * Callers by network: the client address of the connection the service's proxy receives (Istio
 * `source.ipBlocks`/`notIpBlocks`, Linkerd NetworkAuthentication `networks[]`), written as
 * Kubernetes NetworkPolicy writes an ipBlock. A caller given by network needs no mesh identity.
 */
const IpBlock = Type.Object(
  {
    cidr: Type.String({
      description:
        'An IPv4 or IPv6 network in CIDR notation (10.0.0.0/8, fd00::/8), or one address. Required.',
    }),
    except: Type.Optional(
      Type.Array(Type.String(), {
        minItems: 1,
        description: 'Networks inside cidr that are left out, in CIDR notation. Default: none.',
      }),
    ),
  },
  { ...strict, description: 'Callers whose client address is in this network. Default: any address.' },
);

export const AccessPolicySpec = Type.Object(
  {
    service: Type.String({
      description: 'The Service whose callers are governed, in metadata.namespace. Required.',
    }),
    selector: Type.Optional(Selector),
    action: StringEnum(
      ['allow', 'deny'],
      'allow: only the listed callers may call (others are denied); deny: the listed callers may not. Required.',
    ),
    from: Type.Array(
      Type.Object(
        {
          namespace: Type.Optional(
            Type.String({ description: "The caller's namespace. Default: any namespace." }),
          ),
          serviceAccount: Type.Optional(
            Type.String({
              description:
                "The caller's service account. Default: any; without namespace: the policy's namespace.",
            }),
          ),
          ipBlock: Type.Optional(IpBlock),
          authenticated: Type.Optional(
            Type.Literal(true, {
              description:
                'Any caller with a mesh identity (mutual TLS with a workload certificate of the mesh), whatever its namespace and service account; callers without one (plaintext) are not. Not with namespace or serviceAccount. Default: unset (the caller is named by namespace, serviceAccount or ipBlock).',
            }),
          ),
        },
        {
          ...strict,
          minProperties: 1,
          description:
            'A caller: an identity (namespace, serviceAccount, or any with authenticated), a network (ipBlock), or an identity that must also call from the network.',
        },
      ),
      { minItems: 1, description: 'The callers this rule is about; any of them. Required.' },
    ),
    to: Type.Optional(
      Type.Array(
        Type.Object(
          {
            methods: Type.Optional(
              Type.Array(Method(), { minItems: 1, description: 'HTTP methods. Default: any.' }),
            ),
            paths: Type.Optional(
              Type.Array(Type.String(), {
                minItems: 1,
                description: 'Paths: exact, `/prefix/*` or `*suffix`. Default: any.',
              }),
            ),
            ports: Type.Optional(
              Type.Array(Port('A port.'), { minItems: 1, description: 'Ports. Default: any.' }),
            ),
            headers: Type.Optional(
              Type.Array(HeaderMatch, {
                minItems: 1,
                description: 'Request header conditions; all must hold (L7). Default: none.',
              }),
            ),
          },
          { ...strict, minProperties: 1, description: 'An operation; every field given must hold.' },
        ),
        {
          minItems: 1,
          description: 'The operations this rule is about; any of them. Default: every operation.',
        },
      ),
    ),
    onUnsupported: Type.Optional(OnUnsupported),
  },
  { ...strict, description: 'Who may call a service. Required.' },
);

export const AccessPolicySchema = Doc('AccessPolicy', AccessPolicySpec, 'Who may call a service.');

export type AccessPolicy = Static<typeof AccessPolicySchema>;
