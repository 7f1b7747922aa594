/** TrafficPolicy: routing and resilience for calls to one service. */
import { type Static, Type } from '@sinclair/typebox';
import {
  Doc,
  Duration,
  HeaderMatch,
  Labels,
  Method,
  OnUnsupported,
  Percentage,
  Port,
  Selector,
  StringEnum,
  StringMatch,
  strict,
} from './common.js';

const QueryParamMatch = Type.Object(
  {
    name: Type.String({ description: 'The query parameter name. Required.' }),
    exact: Type.Optional(
      Type.String({
        description:
          'The value equals this string. Default: unset; give exactly one of exact, regex, present.',
      }),
    ),
    regex: Type.Optional(
      Type.String({
        description:
          'The value matches this RE2 regular expression. Default: unset; give exactly one of exact, regex, present.',
      }),
    ),
    present: Type.Optional(
      Type.Boolean({
        description:
          'The parameter is present (any value); must be true. Default: unset; give exactly one of exact, regex, present.',
      }),
    ),
  },
  {
    ...strict,
    description: 'A condition on a query parameter: name plus exactly one of exact, regex, present.',
  },
);

const GrpcMatch = Type.Object(
  {
    service: Type.Optional(
      Type.String({
        description:
          'The fully qualified gRPC service, e.g. shop.Cart (package and service as in the .proto file). Default: any service; give service, method or both.',
      }),
    ),
    method: Type.Optional(
      Type.String({
        description: 'The gRPC method, e.g. AddItem. Default: any method; give service, method or both.',
      }),
    ),
  },
  {
    ...strict,
    description:
      'A condition on the gRPC call (its HTTP/2 path is /<service>/<method>), for policies with protocol grpc; Gateway API GRPCRoute method match, type Exact. Default: any call.',
  },
);

const RouteMatch = Type.Object(
  {
    grpc: Type.Optional(GrpcMatch),
    path: Type.Optional(StringMatch('the request path', ['exact', 'prefix', 'regex'])),
    method: Type.Optional(Method(' Default: any method.')),
    headers: Type.Optional(
      Type.Array(HeaderMatch, { description: 'Header conditions; all must hold. Default: none.' }),
    ),
    queryParams: Type.Optional(
      Type.Array(QueryParamMatch, {
        description: 'Query parameter conditions; all must hold. Default: none.',
      }),
    ),
  },
  {
    ...strict,
    description: 'One way a request can match: every condition given here must hold. Empty matches all.',
  },
);

const Backend = Type.Object(
  {
    version: Type.Optional(
      Type.String({
        description: 'A version named in spec.versions. Default: unset; give version or service.',
      }),
    ),
    service: Type.Optional(
      Type.String({
        description:
          'Another service to route to, instead of a version. Default: unset; give version or service.',
      }),
    ),
    namespace: Type.Optional(
      Type.String({ description: "The other service's namespace. Default: the policy's namespace." }),
    ),
    port: Type.Optional(Port("The other service's port. Default: spec.port, if set.")),
    weight: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 100,
        description:
          'The share of traffic, an integer; the weights of a rule sum to 100. Default: 100 when the rule has one backend.',
      }),
    ),
  },
  {
    ...strict,
    description: 'Where matching traffic goes: a version of the service or another service (not both).',
  },
);

export const PROTOCOLS = ['http', 'http2', 'grpc', 'tcp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const RETRY_ON = [
  '5xx',
  'gateway-error',
  'retriable-4xx',
  'reset',
  'connect-failure',
  'refused-stream',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
] as const;

const Retries = Type.Object(
  {
    attempts: Type.Integer({
      minimum: 1,
      maximum: 100,
      description: 'How many retries after the first try. Required.',
    }),
    perTryTimeout: Type.Optional(
      Duration('A timeout for each attempt. Default: the mesh default (none in Istio).'),
    ),
    retryOn: Type.Optional(
      Type.Array(Type.String(), {
        description: `When to retry: any of ${RETRY_ON.join(', ')}, or an HTTP status code such as "503". Default: the mesh default.`,
      }),
    ),
    backoff: Type.Optional(
      Type.Object(
        {
          base: Duration('The base interval of exponential backoff. Required.'),
          max: Type.Optional(Duration('The longest interval. Default: 10 times base (Envoy).')),
        },
        { ...strict, description: 'Exponential backoff between attempts. Default: the mesh default.' },
      ),
    ),
  },
  {
    ...strict,
    description:
      'Retry failed requests. Default: no retries of a request the service may have seen (see "Omitted timeout and retries").',
  },
);

export const GRPC_CODES = [
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

const Fault = Type.Object(
  {
    delay: Type.Optional(
      Type.Object(
        {
          duration: Duration('How long to delay. Required.'),
          percentage: Percentage('The share of requests delayed. Required.'),
        },
        { ...strict, description: 'Delay some requests. Default: no delay.' },
      ),
    ),
    abort: Type.Optional(
      Type.Object(
        {
          status: Type.Optional(
            Type.Integer({
              minimum: 200,
              maximum: 599,
              description: 'The HTTP status to answer. Default: unset; give status or grpcStatus.',
            }),
          ),
          grpcStatus: Type.Optional(
            StringEnum(
              GRPC_CODES,
              'The gRPC status to answer, e.g. UNAVAILABLE. Default: unset; give status or grpcStatus.',
            ),
          ),
          percentage: Percentage('The share of requests aborted. Required.'),
        },
        {
          ...strict,
          description: 'Abort some requests with status or grpcStatus (one of them). Default: no abort.',
        },
      ),
    ),
  },
  { ...strict, minProperties: 1, description: 'Fault injection for testing resilience. Default: none.' },
);

const HeaderOps = (which: string) =>
  Type.Object(
    {
      set: Type.Optional(
        Type.Record(Type.String(), Type.String(), {
          description: `${which} headers to set, replacing existing values. Default: none.`,
        }),
      ),
      add: Type.Optional(
        Type.Record(Type.String(), Type.String(), {
          description: `${which} headers to add, keeping existing values. Default: none.`,
        }),
      ),
      remove: Type.Optional(
        Type.Array(Type.String(), { description: `${which} headers to remove. Default: none.` }),
      ),
    },
    { ...strict, minProperties: 1, description: `Changes to ${which.toLowerCase()} headers. Default: none.` },
  );

const Cors = Type.Object(
  {
    allowOrigins: Type.Array(StringMatch('the origin', ['exact', 'prefix', 'regex']), {
      minItems: 1,
      description: 'Origins allowed to call. Required.',
    }),
    allowMethods: Type.Optional(
      Type.Array(Method(), { description: 'Methods allowed. Default: none listed.' }),
    ),
    allowHeaders: Type.Optional(
      Type.Array(Type.String(), { description: 'Request headers allowed. Default: none.' }),
    ),
    exposeHeaders: Type.Optional(
      Type.Array(Type.String(), { description: 'Response headers exposed. Default: none.' }),
    ),
    maxAge: Type.Optional(
      Duration('How long a preflight answer may be cached. Default: the browser default.'),
    ),
    allowCredentials: Type.Optional(
      Type.Boolean({ default: false, description: 'Whether credentials are allowed. Default: false.' }),
    ),
  },
  { ...strict, description: 'Cross-origin resource sharing. Default: none (no CORS headers added).' },
);

/** Gateway API's HTTPPathModifier, without its `type` (the one field given says it). */
const PathModifier = (what: string) =>
  Type.Object(
    {
      replaceFullPath: Type.Optional(
        Type.String({
          maxLength: 1024,
          description: `Replace the whole path ${what}. Default: unset; give replaceFullPath or replacePrefixMatch.`,
        }),
      ),
      replacePrefixMatch: Type.Optional(
        Type.String({
          maxLength: 1024,
          description: `Replace the part of the path the rule's path prefix matched ${what} (/foo/bar under prefix /foo with /xyz becomes /xyz/bar); the rule needs exactly one match entry, with path.prefix. Default: unset; give replaceFullPath or replacePrefixMatch.`,
        }),
      ),
    },
    { ...strict, description: `How the path changes ${what}. Default: the request's path, unchanged.` },
  );

/** Redirect status codes Gateway API v1.6.1 allows (HTTPRequestRedirectFilter.statusCode). */
export const REDIRECT_CODES = [301, 302, 303, 307, 308] as const;

const Redirect = Type.Object(
  {
    scheme: Type.Optional(
      StringEnum(['http', 'https'] as const, "The scheme of the Location. Default: the request's scheme."),
    ),
    host: Type.Optional(
      Type.String({ description: "The host name of the Location. Default: the request's Host." }),
    ),
    port: Type.Optional(
      Port(
        "The port of the Location. Default: the scheme's well-known port when scheme is given (80, 443), else the request's port (Gateway API).",
      ),
    ),
    path: Type.Optional(PathModifier('in the Location')),
    statusCode: Type.Optional(
      Type.Integer({
        default: 302,
        description: `The redirect status: one of ${REDIRECT_CODES.join(', ')}. Default: 302.`,
      }),
    ),
  },
  {
    ...strict,
    description:
      'Answer with an HTTP redirect instead of forwarding (Gateway API RequestRedirect); the rule then has no backends. Default: none.',
  },
);

const Rewrite = Type.Object(
  {
    host: Type.Optional(
      Type.String({ description: 'The Host (authority) the backend sees. Default: unchanged.' }),
    ),
    path: Type.Optional(PathModifier('before forwarding')),
  },
  {
    ...strict,
    minProperties: 1,
    description: 'Change the request before forwarding it (Gateway API URLRewrite). Default: none.',
  },
);

const Rule = Type.Object(
  {
    name: Type.Optional(
      Type.String({ description: 'A name for the rule, a DNS-1123 label. Default: rule-<index>.' }),
    ),
    matches: Type.Optional(
      Type.Array(RouteMatch, {
        description: 'The rule applies when any entry matches. Default: every request matches.',
      }),
    ),
    backends: Type.Optional(
      Type.Array(Backend, {
        minItems: 1,
        description: 'Where traffic goes, with weights for traffic shifting. Default: the service itself.',
      }),
    ),
    timeout: Type.Optional(
      Duration(
        'The timeout of the whole request, retries included. Default: no time limit (see "Omitted timeout and retries").',
      ),
    ),
    retries: Type.Optional(Retries),
    fault: Type.Optional(Fault),
    mirror: Type.Optional(
      Type.Object(
        {
          backend: Type.Object(Backend.properties, {
            ...strict,
            description: 'Where the copies go: a version of the service or another service. Required.',
          }),
          percentage: Type.Optional(Percentage('The share of requests mirrored. Default: 100.', 100)),
        },
        {
          ...strict,
          description: 'Send a copy of requests to another backend; answers are ignored. Default: none.',
        },
      ),
    ),
    requestHeaders: Type.Optional(HeaderOps('Request')),
    responseHeaders: Type.Optional(HeaderOps('Response')),
    cors: Type.Optional(Cors),
    redirect: Type.Optional(Redirect),
    rewrite: Type.Optional(Rewrite),
  },
  { ...strict, description: 'A routing rule. Rules are ordered: the first that matches wins.' },
);

const Source = Type.Object(
  {
    namespace: Type.Optional(Type.String({ description: "The callers' namespace. Default: any namespace." })),
    serviceAccount: Type.Optional(
      Type.String({ description: "The callers' service account. Default: any service account." }),
    ),
    labels: Type.Optional(Labels("Labels on the callers' pods. Default: any pods.")),
  },
  { ...strict, minProperties: 1, description: 'A set of callers: every field given must hold.' },
);

/**
 * The ingress gateway a policy's rules are bound to (issue 14: the ingress routes of Istio
 * VirtualServices with `gateways`, App Mesh GatewayRoutes, Gateway API HTTPRoutes with a Gateway
 * parent), named as Gateway API's parentRefs name it.
 */
const Gateway = Type.Object(
  {
    name: Type.String({
      description:
        "The gateway's name: the mesh's own ingress gateway object of this name (its kind per mesh: `anymesh capabilities --feature gateway.route`). anymesh binds routes to it; it does not create it. Required.",
    }),
    namespace: Type.Optional(
      Type.String({ description: "The gateway's namespace. Default: metadata.namespace." }),
    ),
    hostnames: Type.Optional(
      Type.Array(Type.String(), {
        minItems: 1,
        description:
          'The host names (the Host header) the rules answer for at the gateway: a name, or a name under a leading "*." wildcard (*.example.com). Not with protocol tcp. Default: every host the gateway accepts.',
      }),
    ),
    port: Type.Optional(
      Port(
        "The gateway listener's port the rules apply at (a port the gateway listens on, not the service's). Required with protocol tcp, whose gateway routes are bound to one listener. Default: every listener of the gateway.",
      ),
    ),
  },
  {
    ...strict,
    description:
      'Govern the requests that enter the mesh through this ingress gateway instead of the calls from inside the mesh: the rules are the routes the gateway applies; rules without backends go to spec.service. Calls from inside the mesh are not affected. Default: none (calls inside the mesh).',
  },
);

export const TrafficPolicySpec = Type.Object(
  {
    service: Type.String({ description: 'The destination Service, in metadata.namespace. Required.' }),
    port: Type.Optional(Port('Govern only calls to this port of the service. Default: every port.')),
    selector: Type.Optional(Selector),
    protocol: Type.Optional(
      StringEnum(
        PROTOCOLS,
        'What the calls are: http (HTTP/1.1 or HTTP/2 requests), http2 (HTTP requests the mesh sends to the backend over HTTP/2 in cleartext, h2c; the rules are those of http), grpc (gRPC calls; matches may name a gRPC service and method) or tcp (connections: rules have only backends and timeout, the idle timeout). Default: http.',
        'http',
      ),
    ),
    versions: Type.Optional(
      Type.Record(Type.String(), Labels('Pod labels of this version.'), {
        description: 'Named versions (subsets): name -> pod labels. Default: none.',
      }),
    ),
    sources: Type.Optional(
      Type.Array(Source, { minItems: 1, description: 'Apply only to these callers. Default: every caller.' }),
    ),
    gateway: Type.Optional(Gateway),
    onUnsupported: Type.Optional(OnUnsupported),
    rules: Type.Array(Rule, {
      minItems: 1,
      description: 'Ordered rules; the first that matches wins. Required.',
    }),
  },
  { ...strict, description: 'How calls to one service are routed and handled. Required.' },
);

export const TrafficPolicySchema = Doc(
  'TrafficPolicy',
  TrafficPolicySpec,
  'Routing and resilience for one service.',
);

export type TrafficPolicy = Static<typeof TrafficPolicySchema>;
export type Rule = TrafficPolicy['spec']['rules'][number];
export type RouteMatchT = NonNullable<Rule['matches']>[number];
export type BackendT = NonNullable<Rule['backends']>[number];
export type GrpcMatchT = NonNullable<RouteMatchT['grpc']>;
export type RedirectT = NonNullable<Rule['redirect']>;
export type RewriteT = NonNullable<Rule['rewrite']>;
export type PathModifierT = NonNullable<RewriteT['path']>;
export type SourceT = NonNullable<TrafficPolicy['spec']['sources']>[number];
export type GatewayT = NonNullable<TrafficPolicy['spec']['gateway']>;
export type HeaderMatchT = NonNullable<RouteMatchT['headers']>[number];
