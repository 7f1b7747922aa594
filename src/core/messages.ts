/**
 * The core diagnostic catalogue, in the manner of Istio's `pkg/config/analysis/msg/messages.yaml`:
 * one code per meaning, each with a description, a fix and an example. Tests assert codes, never
 * wording, so templates can be improved freely; a code, once published, keeps its meaning, and a
 * code that is no longer used is retired (RETIRED_CODES), never given a new meaning.
 *
 * Code ranges: AM1xxx input (files, YAML), AM2xxx model validation, AM3xxx capability and
 * compilation (AM3000 is reserved for internal errors), AM4xxx mesh adapters (AM41 Istio, AM42
 * Linkerd, AM43 Consul, AM44 App Mesh; each adapter's own messages.ts), AM5xxx cluster operations.
 */
import { type MessageType, message } from './message-type.js';

const m = message;

export const CORE_MESSAGES = {
  FileNotFound: m('AM1001', 'error', 'FileNotFound', 'cannot read {what}: {reason}', {
    description: 'A file or directory given with -f does not exist or cannot be read.',
    fix: 'Check the path and its permissions.',
    example: '`anymesh validate -f polices/` (a misspelt directory)',
  }),
  NoInput: m(
    'AM1002',
    'error',
    'NoInput',
    'no policy documents found in {what}; give files, directories or - for stdin',
    {
      description:
        'The inputs hold no YAML document at all (an empty directory, or files with only comments).',
      fix: 'Give the files or directories that hold the policies, or - to read stdin.',
      example: '`anymesh compile -f empty-dir/ --mesh MESH`',
    },
  ),
  BinaryInput: m(
    'AM1003',
    'error',
    'BinaryInput',
    'this is not a text file (it contains NUL bytes); give YAML files',
    {
      description:
        'An input contains NUL bytes, so it is not YAML text (an image, an archive, a compiled file).',
      fix: 'Give only YAML files; a directory is read for *.yaml and *.yml only.',
      example: '`anymesh validate -f policies.tar.gz`',
    },
  ),
  InputTooLarge: m(
    'AM1004',
    'error',
    'InputTooLarge',
    'input is {size} bytes, over the limit of {limit}; split it into smaller files',
    {
      description: 'One input is larger than anymesh reads at once, which guards against runaway input.',
      fix: 'Split the policies into several files or a directory.',
      example: 'a single generated file of several hundred megabytes',
    },
  ),
  YamlSyntax: m('AM1005', 'error', 'YamlSyntax', 'YAML syntax error: {reason}', {
    description: 'The file is not valid YAML; the position is where the parser gave up.',
    fix: 'Correct the YAML at that position (indentation, an unclosed quote or bracket, a tab).',
    example: '`spec: {service: reviews` (an unclosed flow mapping)',
  }),
  YamlAliasLimit: m(
    'AM1006',
    'error',
    'YamlAliasLimit',
    'YAML aliases expand too far ({reason}); write the document without alias bombs',
    {
      description: 'YAML aliases (`*name`) would expand the document far beyond its size ("billion laughs").',
      fix: 'Write the values out, or use aliases sparingly.',
      example: 'nested anchors `a: &a [x, x]`, `b: &b [*a, *a]`, ... repeated many levels',
    },
  ),
  YamlTooDeep: m(
    'AM1007',
    'error',
    'YamlTooDeep',
    'document nests deeper than {limit} levels; policies are never that deep',
    {
      description:
        'The document nests mappings or sequences deeper than any policy can, which guards the parser.',
      fix: 'Check the file is a policy; flatten what is nested by mistake.',
      example: 'a document of thousands of nested `[[[[...]]]]`',
    },
  ),
  NotAnObject: m(
    'AM1008',
    'error',
    'NotAnObject',
    'a document must be a mapping with apiVersion, kind, metadata and spec; got {got}',
    {
      description: 'A YAML document is a scalar or a sequence, not a mapping, so it cannot be a policy.',
      fix: 'Write each document as a mapping with apiVersion, kind, metadata and spec.',
      example: 'a document that is only `- reviews`',
    },
  ),
  UnknownApiVersion: m(
    'AM1009',
    'error',
    'UnknownApiVersion',
    'apiVersion is {got}; anymesh reads {expected}',
    {
      description: 'The document is not an anymesh policy, or is written for another version of the model.',
      fix: 'Set apiVersion: anymesh.dev/v1alpha1, or leave native mesh resources out of the input.',
      example: 'a native mesh object (a VirtualService, say) in the policy directory',
    },
  ),
  UnknownKind: m(
    'AM1010',
    'error',
    'UnknownKind',
    'kind {got} is not an anymesh kind; use one of {expected}',
    {
      description: 'The apiVersion is anymesh, but the kind is not one of its policy kinds.',
      fix: 'Use one of the kinds listed (anymesh schema lists them all).',
      example: '`kind: TrafficPolicies` (a plural)',
    },
  ),
  TooManyDocuments: m(
    'AM1011',
    'error',
    'TooManyDocuments',
    'more than {limit} documents in one input; split it',
    {
      description:
        'One input holds more documents than anymesh reads at once, which guards against runaway input.',
      fix: 'Split the documents into several files.',
      example: 'a generated file of hundreds of thousands of `---` documents',
    },
  ),
  DuplicateKey: m('AM1012', 'error', 'DuplicateKey', 'key {key} appears twice in one mapping; keep one', {
    description:
      'A mapping has the same key twice; YAML parsers disagree on which wins, so anymesh refuses it.',
    fix: 'Keep one of the two keys.',
    example: '`spec: {port: 9080, port: 8080}`',
  }),
  NotKubernetesObject: m(
    'AM1013',
    'error',
    'NotKubernetesObject',
    'this document is not a Kubernetes object (it needs apiVersion, kind and metadata.name); give native mesh objects',
    {
      description:
        '`anymesh import` reads native mesh objects; a document without apiVersion, kind or metadata.name cannot be one.',
      fix: 'Give the objects as `kubectl get -o yaml` prints them, or as they are written for `kubectl apply`.',
      example: 'a file holding only `hosts: [reviews]`',
    },
  ),
  NativeKindSkipped: m('AM1014', 'info', 'NativeKindSkipped', '{ref} is not imported: {reason}', {
    description:
      'An object of a kind the importer does not turn into policies (a Deployment, a Gateway, another mesh): it is listed, never ignored silently.',
    fix: 'Nothing when the object is not mesh policy; otherwise import it with the right --from.',
    example: 'a Deployment in the files given to `anymesh import --from MESH`',
  }),
  NativeFieldNotImported: m(
    'AM1015',
    'warning',
    'NativeFieldNotImported',
    'this field of {ref} has no neutral form anymesh knows of, so it is not imported; check what it does and express it another way',
    {
      description:
        'A field of a native object that the importer neither turned into a neutral field nor reported with a more specific code; every leaf of the input is accounted for, so it is reported here.',
      fix: 'Read what the field does in the mesh documentation; keep it in a native overlay if it matters.',
      example: 'an unknown or newer field of a VirtualService',
    },
  ),

  NoNativeInput: m(
    'AM1016',
    'error',
    'NoNativeInput',
    'no native objects found in the input; give the files or directories that hold the {source} objects, or - for stdin',
    {
      description:
        'The files given to `anymesh import` or `anymesh migrate plan` hold no YAML document at all (an empty file or directory), so there is nothing to import; as `kubectl apply` does, anymesh says so and exits non-zero instead of reporting an empty success.',
      fix: 'Give the files or directories that hold the native objects (or --from-cluster to read them from a cluster).',
      example: '`anymesh import -f empty-dir/ --from MESH`',
    },
  ),

  NativeObjectRedefined: m(
    'AM1017',
    'warning',
    'NativeObjectRedefined',
    '{ref} is defined again later in the input ({later}); as kubectl apply -f does, the cluster keeps the last definition, so this one is not imported',
    {
      description:
        'The input holds the same object (API group, kind, namespace and name) more than once, as a folder of alternative scenarios does. `kubectl apply -f` applies the files in order and each definition replaces the one before, so only the last is what the mesh runs; anymesh imports that one and reports every field of the earlier ones. `--strict` makes it an error.',
      fix: 'Give the import the files of one scenario, or rename the objects that should both exist.',
      example:
        "bookinfo's virtual-service-all-v1.yaml and virtual-service-reviews-v3.yaml in one folder, both defining VirtualService reviews",
    },
  ),

  NativeObjectUnreadable: m(
    'AM2048',
    'error',
    'NativeObjectUnreadable',
    '{ref} cannot be imported: {field} holds {value} the importer cannot read ({detail}); check the object against its CRD (kubectl apply --dry-run=server does), and if it passes, report this as an anymesh bug with the object',
    {
      description:
        'The importer could not read a native object. Objects of the kinds it imports are checked against their CRD types first (AM2050), so this is an object it reads as context (a workload, a version with no CRD here) holding an unexpected value, or a bug. Nothing is imported; the value is named where it can be found (a null), otherwise the object.',
      fix: 'Correct the value so the object passes its schema, then import again; if it already does, report the object.',
      example: 'a ServiceIntentions with `spec.sources: null`',
    },
  ),

  NativeFieldType: m(
    'AM2050',
    'error',
    'NativeFieldType',
    '{got} in {ref}, where its {crd} has {want}; write {want} there, or leave the field out (the API server refuses the object too)',
    {
      description:
        'A field of a native object given to `anymesh import` holds a value of another type than its CRD schema gives it (a string where the CRD has a list, a list where it has a mapping, null where it allows none). Objects are checked against the types of their CRD before they are imported, as the API server would check them: such an object is refused (the others are still imported, so one run shows every error), and nothing is written.',
      fix: 'Write the value the CRD describes (`kubectl explain KIND.FIELD` shows it on a cluster with the CRD), then import again.',
      example: 'a VirtualService with `hosts: reviews` instead of `hosts: [reviews]`',
    },
  ),

  NativeNullDropped: m(
    'AM2051',
    'warning',
    'NativeNullDropped',
    'null in {ref}, which its {crd} does not allow here, so the API server drops the field; it is imported as if left out (leave it out, or give it a value)',
    {
      description:
        'A field of a native object given to `anymesh import` is null where its CRD schema does not allow null. The API server removes such a field when it stores the object (it is not an error there), so anymesh imports the object without it and says so, instead of guessing what the null meant. With --strict it is an error.',
      fix: 'Leave the field out, or give it the value you meant.',
      example: 'a DestinationRule with `trafficPolicy: {tls: null}`',
    },
  ),

  NativeFieldUnknown: m(
    'AM2052',
    'warning',
    'NativeFieldUnknown',
    'unknown field {field} in {ref}: its {crd} has no such field, so the API server drops it (and `kubectl apply` refuses it); it is not imported (check the spelling, or the version the field belongs to)',
    {
      description:
        'A native object given to `anymesh import` has a field its CRD schema does not list: a misspelt field, or one of another version of the mesh than the CRD anymesh reads. The API server prunes such fields when it stores the object (and `kubectl apply`, which validates strictly by default, refuses the object), so anymesh imports the object without it and says so. With --strict it is an error.',
      fix: 'Correct the field name, or leave the field out; `kubectl explain KIND.spec` lists the fields on a cluster with the CRD.',
      example: 'a VirtualService route with `retires:` for `retries:`',
    },
  ),

  SchemaRequired: m('AM2001', 'error', 'MissingField', 'required field {field} is missing; {hint}', {
    description: 'A field the policy kind requires is not given.',
    fix: 'Add the field; `anymesh explain KIND.field` describes it.',
    example: 'a TrafficPolicy without spec.service',
  }),
  SchemaUnknownField: m('AM2002', 'error', 'UnknownField', 'unknown field {field}; {hint}', {
    description:
      'A field is not part of the policy kind (often a typo); anymesh never ignores fields silently.',
    fix: 'Correct the name (the hint names the closest field) or remove it.',
    example: '`rules: [{timout: 3s}]`',
  }),
  SchemaType: m('AM2003', 'error', 'WrongType', 'must be {expected}, got {got}', {
    description: 'A field has a value of the wrong type.',
    fix: 'Give a value of the type named.',
    example: '`port: "9080"` (a string where an integer is expected)',
  }),
  SchemaEnum: m('AM2004', 'error', 'NotAllowed', 'value {got} is not allowed; use one of {expected}', {
    description: 'A field takes one of a fixed set of values, and this is not one of them.',
    fix: 'Use one of the values listed.',
    example: '`mode: STRICT` (the model spells it strict)',
  }),
  SchemaRange: m('AM2005', 'error', 'OutOfRange', '{got} is out of range: {expected}', {
    description: 'A number is outside the range the field allows.',
    fix: 'Give a value within the range named.',
    example: '`port: 70000`',
  }),
  SchemaPattern: m('AM2006', 'error', 'BadFormat', '{got} is not {expected}', {
    description:
      "A string does not match its field's pattern in the schema. Durations, the model's patterned fields today, report AM2013 instead; this code is for any other pattern.",
    fix: 'Write the value in the format named.',
    example: 'a value that does not match the `pattern` of its field in `anymesh schema`',
  }),
  SchemaOther: m('AM2007', 'error', 'Invalid', '{reason}', {
    description:
      'The value breaks another rule of the schema (an empty list or mapping where entries are needed).',
    fix: 'Do what the message says; `anymesh explain KIND.field` describes the field.',
    example: '`matches: []`',
  }),
  WeightsSum: m('AM2010', 'error', 'WeightsSum', 'backend weights sum to {sum}; they must sum to 100', {
    description:
      'The weights of the backends of one rule do not add up to 100, so the split would be ambiguous.',
    fix: 'Make the weights integers that sum to exactly 100.',
    example: '`backends: [{version: v1, weight: 90}, {version: v2, weight: 20}]`',
  }),
  WeightMissing: m(
    'AM2011',
    'error',
    'WeightMissing',
    'a rule with several backends needs a weight on each; add weight (integers summing to 100)',
    {
      description: 'A rule has several backends and at least one has no weight, so the split is not defined.',
      fix: 'Give every backend of the rule a weight; the weights sum to 100.',
      example: '`backends: [{version: v1, weight: 90}, {version: v2}]`',
    },
  ),
  UndefinedVersion: m(
    'AM2012',
    'error',
    'UndefinedVersion',
    'version {version} is not defined in spec.versions; defined: {defined}',
    {
      description: 'A backend names a version that spec.versions does not define, so its pods are unknown.',
      fix: 'Define the version (its pod labels) in spec.versions, or correct the name.',
      example: '`backends: [{version: v3}]` with only v1 and v2 in spec.versions',
    },
  ),
  BadDuration: m('AM2013', 'error', 'BadDuration', 'duration {got} is not valid: {reason}', {
    description: 'A duration is not a Go-style duration every mesh can read.',
    fix: 'Write a number and a unit, e.g. 500ms, 3s, 1m30s.',
    example: '`timeout: 3 seconds`',
  }),
  BadRegex: m('AM2014', 'error', 'BadRegex', '{got} is not a valid RE2 regular expression: {reason}', {
    description: "A regex is not valid RE2, the syntax the meshes' proxies (Envoy, Linkerd) accept.",
    fix: 'Write the expression in RE2 syntax (no look-around, no back-references).',
    example: '`regex: "^(?!admin).*"` (a negative look-ahead)',
  }),
  BadHeaderName: m(
    'AM2015',
    'error',
    'BadHeaderName',
    "{got} is not a valid HTTP header name; use letters, digits and !#$%&'*+-.^_`|~",
    {
      description: 'A header name contains characters HTTP does not allow in a field name (RFC 9110 token).',
      fix: 'Use only the allowed characters; spaces and colons are never part of a name.',
      example: '`headers: [{name: "end user", exact: jason}]`',
    },
  ),
  BadName: m('AM2016', 'error', 'BadName', '{got} is not a valid {what}: {rule}', {
    description:
      'A name does not follow the Kubernetes naming rule it becomes part of (DNS labels, subdomains, label keys and values).',
    fix: 'Rename it to follow the rule named.',
    example: '`metadata: {name: Reviews_Canary}`',
  }),
  DuplicatePolicy: m(
    'AM2017',
    'error',
    'DuplicatePolicy',
    '{policy} is defined twice; the other is at {other}',
    {
      description: 'Two documents have the same kind, namespace and name, so one would overwrite the other.',
      fix: 'Rename one of them, or remove the copy.',
      example: 'the same file given twice, or a policy copied without renaming it',
    },
  ),
  BackendTarget: m(
    'AM2018',
    'error',
    'BackendTarget',
    'a backend names either version or service, exactly one',
    {
      description:
        'A backend gives both a version and another service, or neither, so its target is ambiguous.',
      fix: 'Give exactly one of version (of this service) or service (another service).',
      example: '`backends: [{version: v1, service: ratings}]`',
    },
  ),
  MatchKind: m('AM2019', 'error', 'MatchKind', 'give exactly one of {expected}', {
    description: 'A match gives several ways to compare (or none), so what it matches is ambiguous.',
    fix: 'Give exactly one of the comparisons listed.',
    example: '`headers: [{name: x-env, exact: qa, prefix: q}]`',
  }),
  PresentFalse: m(
    'AM2020',
    'error',
    'PresentFalse',
    'present must be true; to require absence, reorder rules instead',
    {
      description: 'Matching the absence of a header is not portable: not every mesh can negate a match.',
      fix: 'Match the header being present in an earlier rule; the later rule then gets the requests without it.',
      example: '`headers: [{name: x-debug, present: false}]`',
    },
  ),
  AbortKind: m('AM2021', 'error', 'AbortKind', 'an abort gives exactly one of status or grpcStatus', {
    description: 'A fault abort gives both an HTTP and a gRPC status, or neither.',
    fix: 'Give exactly one of status or grpcStatus.',
    example: '`fault: {abort: {percentage: 10}}`',
  }),
  RetryOn: m(
    'AM2022',
    'error',
    'RetryOn',
    'retry condition {got} is not known; use {expected} or an HTTP status code',
    {
      description:
        'A retry condition is neither one of the portable condition names nor an HTTP status code.',
      fix: 'Use one of the names listed, or a status code such as 503.',
      example: '`retryOn: [5xxx]`',
    },
  ),
  BadPath: m('AM2023', 'error', 'BadPath', 'path {got} is not valid: {reason}', {
    description: 'A request path match or rewrite is not a valid absolute HTTP path.',
    fix: 'Start the path with / and leave out the query string and fragment.',
    example: '`path: {prefix: api/v1}`',
  }),
  ScopeConflict: m('AM2024', 'error', 'ScopeConflict', '{reason}', {
    description:
      'The scope of an MTLSPolicy or AccessPolicy and its other fields disagree (scope service without spec.service, a mesh or namespace scope with one).',
    fix: 'Make spec.scope, spec.service and spec.selector agree, as the message says.',
    example: '`spec: {scope: namespace, service: reviews}`',
  }),
  DuplicateEntry: m('AM2025', 'error', 'DuplicateEntry', '{what} {got} appears twice; keep one', {
    description:
      'A list names the same header, query parameter or backend twice, which meshes treat differently.',
    fix: 'Keep one entry.',
    example: '`headers: [{name: x-env, exact: a}, {name: X-Env, exact: b}]`',
  }),
  BackoffOrder: m('AM2026', 'error', 'BackoffOrder', 'backoff max {max} is shorter than base {base}', {
    description: 'A retry backoff grows from base up to max, so max shorter than base cannot be right.',
    fix: 'Make max at least base.',
    example: '`backoff: {base: 1s, max: 100ms}`',
  }),
  DuplicateRuleName: m(
    'AM2027',
    'error',
    'DuplicateRuleName',
    'rule name {got} is used twice in this policy',
    {
      description: 'Rule names name native routes and diagnostics, so they are unique within a policy.',
      fix: 'Rename one of the rules.',
      example: 'two rules both named `everyone`',
    },
  ),
  DurationRange: m('AM2028', 'error', 'DurationRange', 'duration {got} is out of range: {expected}', {
    description:
      'A duration is valid but outside what the field allows (e.g. zero, or longer than meshes accept).',
    fix: 'Give a duration within the range named.',
    example: '`timeout: 0s`',
  }),
  BackendPolicyEmpty: m(
    'AM2029',
    'error',
    'BackendPolicyEmpty',
    'a BackendPolicy sets at least one of outlierDetection, connectionLimits, loadBalancer, rateLimit, healthCheck',
    {
      description: 'A BackendPolicy without any setting would compile to nothing, which is surely a mistake.',
      fix: 'Add the settings the policy is for, or delete it.',
      example: '`spec: {service: reviews, port: 9080}`',
    },
  ),
  HashPolicy: m('AM2030', 'error', 'HashPolicy', '{reason}', {
    description:
      'loadBalancer.policy and loadBalancer.consistentHash disagree: consistentHash needs its hash key, and a hash key needs policy consistentHash.',
    fix: 'Give policy consistentHash with exactly one of consistentHash.header, cookie or sourceIP: true, or neither.',
    example: '`loadBalancer: {policy: roundRobin, consistentHash: {header: x-user}}`',
  }),
  BurstBelowRate: m(
    'AM2031',
    'error',
    'BurstBelowRate',
    'burst {burst} is below requestsPerSecond {rate}; a token bucket smaller than its refill would refuse the rate it promises',
    {
      description: 'A rate limit burst is the token bucket size, so it cannot be smaller than the rate.',
      fix: 'Make burst at least requestsPerSecond, or leave it out (it defaults to requestsPerSecond).',
      example: '`rateLimit: {requestsPerSecond: 100, burst: 10}`',
    },
  ),
  // Protocols, redirects and rewrites (issue 16): AM2040-AM2059.
  ProtocolField: m(
    'AM2040',
    'error',
    'ProtocolField',
    '{field} does not apply to a policy with protocol {protocol}: {hint}',
    {
      description:
        "The field means nothing for the policy's protocol: a gRPC match on an HTTP policy, an HTTP path or method match on a gRPC policy, or anything but backends and timeout on a TCP policy (a TCP proxy sees connections, not requests).",
      fix: 'Set spec.protocol to what the calls are, or remove the field; for gRPC, match with matches[].grpc.',
      example: '`protocol: tcp` with `matches: [{path: {prefix: /api}}]`',
    },
  ),
  RedirectForwards: m(
    'AM2041',
    'error',
    'RedirectForwards',
    'a rule with a redirect answers the request itself, so it cannot have {field}',
    {
      description:
        'A redirect answers the caller at once (Gateway API forbids RequestRedirect with backendRefs or URLRewrite); settings about forwarding would never apply.',
      fix: 'Remove the field, or move the forwarding to a rule of its own.',
      example: '`redirect: {scheme: https}` with `backends: [{version: v1}]`',
    },
  ),
  PrefixNeedsPrefixMatch: m(
    'AM2042',
    'error',
    'PrefixNeedsPrefixMatch',
    'replacePrefixMatch replaces the path prefix the rule matched, so the rule needs exactly one match entry, with path.prefix; {got}',
    {
      description:
        'Gateway API allows ReplacePrefixMatch only on a rule with exactly one PathPrefix match; without one there is no matched prefix to replace.',
      fix: 'Give the rule one match entry with path.prefix, or use replaceFullPath.',
      example: '`rewrite: {path: {replacePrefixMatch: /v2}}` on a rule matching `path: {exact: /v1}`',
    },
  ),
  RedirectCode: m(
    'AM2043',
    'error',
    'RedirectCode',
    'status code {got} is not a redirect code: use one of {expected}',
    {
      description: 'The redirect status is not one of those Gateway API allows (301, 302, 303, 307, 308).',
      fix: 'Use 301 or 308 for a permanent redirect, 302, 303 or 307 for a temporary one.',
      example: '`redirect: {host: shop.example.com, statusCode: 200}`',
    },
  ),
  PathModifierKind: m(
    'AM2044',
    'error',
    'PathModifierKind',
    'give exactly one of replaceFullPath or replacePrefixMatch',
    {
      description: 'A redirect or rewrite path names both ways of changing the path, or neither.',
      fix: 'Keep the one you mean; leave path out to keep the request path.',
      example: '`rewrite: {path: {}}`',
    },
  ),
  RedirectLoop: m(
    'AM2045',
    'error',
    'RedirectLoop',
    'this redirect changes neither scheme, host, port nor path, so it sends callers back to the same URL forever',
    {
      description: 'A redirect that keeps the whole URL redirects to itself: a loop.',
      fix: 'Give at least one of scheme, host, port or path.',
      example: '`redirect: {statusCode: 301}`',
    },
  ),
  GrpcMatchEmpty: m('AM2046', 'error', 'GrpcMatchEmpty', 'a gRPC match names a service, a method or both', {
    description:
      'An empty gRPC match would match every call; Gateway API requires one of service and method.',
    fix: 'Name the service (shop.Cart), the method (AddItem) or both; to match every call, leave matches out.',
    example: '`matches: [{grpc: {}}]`',
  }),
  // Callers by network (AccessPolicy from[].ipBlock): AM2047-AM2049.
  BadIpBlock: m('AM2047', 'error', 'BadIpBlock', '{what} {got} is not valid: {reason}', {
    description:
      'An ipBlock network is not an IPv4 or IPv6 address or CIDR block, or an `except` network is not inside its cidr.',
    fix: 'Write the network as address/prefix length (10.0.0.0/8, fd00::/8) and list in except only networks inside it, of the same address family.',
    example: '`ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}`',
  }),

  // Ingress gateways (TrafficPolicy spec.gateway, issue 14): AM2053-AM2055.
  GatewayField: m(
    'AM2053',
    'error',
    'GatewayField',
    '{field} does not apply to a policy bound to a gateway: {hint}',
    {
      description:
        "A TrafficPolicy with spec.gateway governs the requests that enter through the gateway, so what only means something for calls inside the mesh is refused: sources (the gateway is the caller). A gateway's TCP routes are bound to one of its listener ports (spec.gateway.port) and a connection has no host name, so protocol tcp needs the port and takes no hostnames.",
      fix: 'Remove the field (or, for protocol tcp, name the listener port in spec.gateway.port), or write a second TrafficPolicy without spec.gateway for the calls inside the mesh.',
      example: '`gateway: {name: public}` with `sources: [{namespace: shop}]`',
    },
  ),
  CallerConflict: m('AM2055', 'error', 'CallerConflict', '{field} cannot narrow authenticated: {hint}', {
    description:
      'An AccessPolicy caller with authenticated: true is any caller with a mesh identity, so a namespace or serviceAccount beside it would be ignored by some meshes and narrow it in others.',
    fix: 'Remove authenticated to name those callers, or remove namespace and serviceAccount to name every authenticated caller (list both as two callers to mean either).',
    example: '`from: [{authenticated: true, namespace: web}]`',
  }),
  BadHostname: m('AM2054', 'error', 'BadHostname', 'host name {got} is not valid: {rule}', {
    description:
      "A gateway host name is not a DNS name, or not one under a leading *. wildcard (Gateway API's Hostname: lower-case letters, digits, - and ., no port, no IP address).",
    fix: 'Write the name the clients send in the Host header without its port (shop.example.com), or *.example.com for every name under example.com; leave hostnames out for every host.',
    example: '`hostnames: ["Shop.example.com:443"]`',
  }),

  InternalError: m(
    'AM3000',
    'error',
    'InternalError',
    'internal error in the {mesh} adapter: {reason}; this is a bug in anymesh, please report it with the input',
    {
      description:
        'Reserved for bugs: an adapter threw instead of returning diagnostics. Nothing is compiled, and the input is not at fault.',
      fix: 'Report it with the input and the command line; meanwhile, try leaving out the policy named by the other diagnostics.',
      example: 'an adapter reading a field the model guarantees but that is missing because of a bug',
    },
  ),
  Unsupported: m(
    'AM3001',
    'error',
    'UnsupportedFeature',
    '{mesh} cannot express {feature}: {reason}{workaround}',
    {
      description:
        'The policy uses a feature the mesh cannot express (a `none` cell of the capability matrix); anymesh refuses rather than drop it silently.',
      fix: 'Change the policy (the message names a workaround when there is one), or pass --allow-degraded (or onUnsupported: warn) to leave the feature out knowingly.',
      example: 'a TrafficPolicy with fault.delay compiled for a mesh without fault injection',
    },
  ),
  Degraded: m('AM3002', 'warning', 'FeatureDropped', '{feature} was left out for {mesh} ({why}): {reason}', {
    description:
      'A feature the mesh cannot express was left out because --allow-degraded or onUnsupported: warn asked for it; the output does less than the policy says.',
    fix: 'Nothing, if losing the feature is acceptable; else change the policy or compile for another mesh.',
    example: '`anymesh compile --allow-degraded` of a policy using fault.abort for a mesh without it',
  }),
  Partial: m('AM3003', 'warning', 'PartialSupport', '{mesh} supports {feature} only in part: {differs}', {
    description:
      'The mesh expresses the feature, but not exactly as the model defines it (a `partial` matrix cell).',
    fix: 'Check that the difference named is acceptable; `anymesh capabilities --feature F` explains it.',
    example: 'retries with a backoff on a mesh that fixes the backoff itself',
  }),
  Emulated: m('AM3004', 'warning', 'EmulatedFeature', '{mesh} emulates {feature}: {differs}', {
    description:
      'The mesh has no native form of the feature, and anymesh builds it from other resources (an `emulated` matrix cell).',
    fix: 'Check that the difference named is acceptable.',
    example: 'a traffic split written as separate leaf Services',
  }),
  SelectorDefaulted: m(
    'AM3005',
    'info',
    'SelectorDefaulted',
    'spec.selector not given: assuming the pods of {service} carry {labels}; set spec.selector if they do not',
    {
      description:
        'The mesh selects pods by labels and the policy does not say which; anymesh assumes the app label convention.',
      fix: 'Set spec.selector to the labels of the pods of the service when they are not app=<service>.',
      example: 'an MTLSPolicy with scope service and no spec.selector, compiled for Istio',
    },
  ),
  NothingToCompile: m('AM3007', 'info', 'NotCompiled', '{kind} documents are not compiled; {why}', {
    description: 'The input holds a document that is valid but does not compile to mesh resources.',
    fix: 'Nothing; use the document with the command named.',
    example: 'a MeshInstallation in the directory given to `anymesh compile`',
  }),
  RuleDropped: m('AM3008', 'warning', 'RuleDropped', 'rule {rule} was left out for {mesh}: {why}', {
    description:
      'With degrading allowed, the whole rule was left out: every match of the rule used a feature the mesh lacks (a rule without its matches would catch everything), or the rule needs a feature the mesh lacks that it means nothing without (a redirect: without it the rule would route instead).',
    fix: 'Rewrite the matches with features the mesh has, or accept that the rule is gone.',
    example:
      'a rule matching only on a query parameter, compiled with --allow-degraded for a mesh without query matches',
  }),
  VersionTooOld: m(
    'AM3009',
    'error',
    'MeshVersionTooOld',
    '{mesh} {version} cannot express {feature}: needs {minVersion} or later',
    {
      description: 'With --mesh-version, the feature needs a newer version of the mesh than the one named.',
      fix: 'Upgrade the mesh and raise --mesh-version, or leave the feature out.',
      example: "`--mesh-version` older than the minimum version the feature's matrix cell names",
    },
  ),
  EndOfSupport: m('AM3010', 'warning', 'MeshEndOfSupport', '{mesh}: {advice}', {
    description: 'The vendor has ended support for the mesh; every compile for it says so.',
    fix: 'Plan a move to a supported mesh; the advice names the vendor guidance.',
    example: 'any compile for a mesh whose vendor ended support (App Mesh)',
  }),
  OverlapConflict: m(
    'AM3011',
    'error',
    'OverlappingPolicies',
    '{subject} and {other} (at {where}) both govern {route} but set {what} differently, and meshes resolve such overlaps differently; {hint}',
    {
      description:
        'Two policies or rules govern the same requests with different settings; which one wins differs between meshes, so the result would not be portable.',
      fix: 'Make the settings agree, or make the matches disjoint so that each request has one owner.',
      example: 'two TrafficPolicies for reviews, one with timeout 3s and one with 5s, matching the same path',
    },
  ),
  ProtocolConflict: m(
    'AM3020',
    'error',
    'ProtocolConflict',
    '{policy} says calls to {route} are {protocol}, and {other} (at {where}) says {otherProtocol}; a port has one protocol',
    {
      description:
        "Two TrafficPolicies for the same service and port give different protocols; a mesh decides a port's protocol once (Istio by port name or appProtocol, Consul in ServiceDefaults, App Mesh on the listener), so one of them would be wrong.",
      fix: 'Give both the same protocol, or scope them to different ports with spec.port.',
      example: 'a grpc policy and a tcp policy for inventory, neither with a port',
    },
  ),
  ShadowedRule: m(
    'AM3012',
    'warning',
    'ShadowedRule',
    'rule {rule} is never reached: {by} (at {where}) comes first and always catches its requests (first match wins); remove it or move it before {earlier}',
    {
      description: 'An earlier rule matches every request this rule matches, so this rule never applies.',
      fix: 'Remove the rule, or move it before the rule that catches its requests.',
      example: 'a rule without matches followed by a rule matching a header',
    },
  ),
  ShadowedMatch: m(
    'AM3013',
    'warning',
    'ShadowedMatch',
    'match entry {entry} of rule {rule} is never reached: {by} (at {where}) comes first and always catches it; remove the entry or move the rule up',
    {
      description: 'One match entry of a rule is covered by an earlier rule, so that entry never applies.',
      fix: 'Remove the entry, or move the rule before the one that catches it.',
      example: 'rule 1 matches prefix /api; rule 2 matches prefix /api/v1 or header x-beta',
    },
  ),
  MtlsScopeConflict: m(
    'AM3014',
    'error',
    'MTLSScopeConflict',
    '{policy} sets mTLS for the same {scope} as {other}; keep one',
    {
      description:
        'Two MTLSPolicies set the mode of the same scope (the mesh, one namespace or one service); a mesh has one mode per scope, and which of two it would apply differs between meshes.',
      fix: 'Keep one MTLSPolicy per scope.',
      example: 'two MTLSPolicies with scope namespace in namespace bookinfo, one strict and one permissive',
    },
  ),
  VersionLabelsConflict: m(
    'AM3015',
    'error',
    'VersionLabelsConflict',
    'version {version} of {service} selects pods by {labels} here but by {otherLabels} in {other}; give the version one label set (and the service one spec.selector) in every policy',
    {
      description:
        'Two policies for one service define the same version with different pods, and the mesh has one native subset (or leaf Service) per version.',
      fix: 'Give the version the same labels in every policy (and, where the mesh adds it, the same spec.selector).',
      example:
        'policy a has `versions: {v1: {version: v1}}`, policy b `versions: {v1: {track: stable}}`, both for reviews',
    },
  ),
  ObjectNameCollision: m(
    'AM3016',
    'error',
    'ObjectNameCollision',
    '{object} would be written for {policy} and for {other}; rename one of the policies',
    {
      description:
        'Two policies produce a native object of the same kind, namespace and name, so applying one would overwrite the other.',
      fix: 'Rename one of the policies (native names are derived from policy, service, rule and port names).',
      example: 'policies whose names, joined with rule names, give the same HTTPRoute name',
    },
  ),
  DefaultDiffers: m(
    'AM3017',
    'warning',
    'DefaultDiffers',
    'rule {rule} sets no {field}, which means {meaning}; {mesh} instead {behaviour}',
    {
      description:
        'The rule omits timeout or retries, and the mesh gives the omission another meaning than the model does (docs/policy-model.md, "Omitted timeout and retries"); reported by `anymesh check`, which counts the policy as lossy on that mesh.',
      fix: 'Set the field explicitly (a timeout, or retries with the attempts and conditions wanted) so that every mesh does the same.',
      example: 'a rule without timeout, checked for a mesh whose Envoy routes time out after 15 s by default',
    },
  ),

  ClusterError: m('AM5001', 'error', 'ClusterError', '{reason}', {
    description: 'A cluster request failed in a way no more specific code describes.',
    fix: 'Read the reason; rerun when the cause is transient.',
    example: 'a request that failed with an unexpected error during apply',
  }),
  // Cluster operations (src/cluster): apply, diff, delete, prune. `{object}` is `Kind namespace/name`.
  ClusterUnreachable: m(
    'AM5002',
    'error',
    'ClusterUnreachable',
    'cannot reach the API server at {server}: {reason}; check the kubeconfig context and that the cluster is up',
    {
      description:
        'The API server did not answer (connection refused, timeout, TLS failure), even after retries.',
      fix: 'Check the kubeconfig context (--context, KUBECONFIG) and that the cluster is running.',
      example: '`anymesh apply` with a kubeconfig pointing at a stopped cluster',
    },
  ),
  ResourceTypeMissing: m(
    'AM5003',
    'error',
    'ResourceTypeMissing',
    '{object}: the cluster does not serve {kind} ({apiVersion}); install the mesh CRDs first (anymesh install {mesh})',
    {
      description:
        "The cluster has no CRD for a resource the mesh's output uses, so the mesh is not installed (or too old).",
      fix: 'Install the mesh (anymesh install MESH) or its CRDs, then apply again.',
      example: 'applying Istio output to a cluster without Istio',
    },
  ),
  NamespaceMissing: m(
    'AM5004',
    'error',
    'NamespaceMissing',
    'namespace {namespace} does not exist (needed by {objects}); create it first (kubectl create namespace {namespace})',
    {
      description:
        'Objects would be written to a namespace the cluster does not have; anymesh does not create namespaces.',
      fix: 'Create the namespace, then apply again.',
      example: 'a policy in namespace bookinfo applied to a fresh cluster',
    },
  ),
  ServerRejected: m('AM5005', 'error', 'ServerRejected', '{object}: the API server rejected it: {reason}', {
    description:
      'The API server refused an object during the dry-run (schema, CEL rule or admission webhook); nothing was written.',
    fix: 'Read the reason: usually the installed mesh version differs from the one compiled for (--mesh-version).',
    example: 'an object using a field the installed CRD version does not have',
  }),
  Forbidden: m(
    'AM5006',
    'error',
    'Forbidden',
    '{object}: forbidden: you may not {verb} {resource}{where}; ask for RBAC permission to {verb} it ({reason})',
    {
      description: 'The user of the kubeconfig lacks the RBAC permission for the request.',
      fix: 'Ask for a Role or ClusterRole granting the verb on the resource, or use another context.',
      example: 'apply with a service account that may only get and list',
    },
  ),
  FieldConflict: m(
    'AM5007',
    'error',
    'FieldConflict',
    '{object}: fields owned by another field manager: {reason}; rerun with --force-conflicts to take them over',
    {
      description:
        'Server-side apply found fields of the object owned by another manager (kubectl, a controller).',
      fix: 'Rerun with --force-conflicts to take them over, or stop the other manager from writing them.',
      example: 'a VirtualService edited with kubectl edit after anymesh applied it',
    },
  ),
  WriteFailed: m('AM5008', 'error', 'WriteFailed', '{object}: {verb} failed: {reason}', {
    description: 'A real write (after a successful dry-run) failed.',
    fix: 'Read the reason, then run the same command again: apply converges.',
    example: 'the API server restarting in the middle of an apply',
  }),
  ApplySetForeign: m(
    'AM5009',
    'error',
    'ApplySetForeign',
    'the ApplySet parent {parent} is managed by {tooling}, not anymesh; choose another --applyset name',
    {
      description:
        'The ApplySet parent object of this name belongs to another tool, so pruning could delete its objects.',
      fix: 'Choose another --applyset name.',
      example: 'an ApplySet parent Secret made by kubectl apply --prune',
    },
  ),
  NothingWritten: m('AM5010', 'info', 'NothingWritten', 'nothing was written: {reason}', {
    description: 'The command stopped before any write, so the cluster is unchanged.',
    fix: 'Correct what the other diagnostics say, then run it again.',
    example: 'an apply whose dry-run of one object failed',
  }),
  PartiallyApplied: m(
    'AM5011',
    'error',
    'PartiallyApplied',
    '{done} of {total} writes were made before the failure; run the same apply again to converge',
    {
      description: 'A write failed after others succeeded, so the cluster holds part of the change.',
      fix: 'Run the same apply again; it writes only what differs.',
      example: 'the connection dropping after 3 of 5 objects were written',
    },
  ),
  PruneSkippedForeign: m(
    'AM5012',
    'warning',
    'PruneSkippedForeign',
    '{object} carries this ApplySet part-of label but was not applied by anymesh (no field manager anymesh); left in place',
    {
      description: 'An object has the ApplySet label but anymesh never wrote it, so prune leaves it alone.',
      fix: 'Remove the label from the object, or delete it yourself if it is not needed.',
      example: 'an object copied with its labels from one anymesh applied',
    },
  ),
  DeleteSkippedForeign: m(
    'AM5013',
    'warning',
    'DeleteSkippedForeign',
    '{object} exists but was not made by anymesh ({why}); left in place',
    {
      description: 'delete found an object of the name anymesh would produce, but anymesh did not make it.',
      fix: 'Delete it yourself if it should go.',
      example: 'a VirtualService of the same name written by hand',
    },
  ),

  // Installing, upgrading and discovering meshes (src/cluster/install, src/cluster/discovery.ts).
  InstallPreflightFailed: m(
    'AM5050',
    'error',
    'InstallPreflightFailed',
    '{mesh} {version}: preflight {check} failed: {reason}',
    {
      description:
        'A check before installing failed (Kubernetes version, API groups, a conflicting mesh, permissions); nothing was installed.',
      fix: 'Do what the reason says, then install again.',
      example: 'installing Linkerd on a cluster older than it supports',
    },
  ),
  InstallNotReady: m(
    'AM5051',
    'error',
    'InstallNotReady',
    '{mesh} {version}: {object} not ready within the timeout: {reason}',
    {
      description: 'The charts were installed but a CRD, Deployment or webhook did not become ready in time.',
      fix: 'Look at the object named (events, pod logs); raise the timeout on slow clusters.',
      example: 'istiod pods that cannot pull their image',
    },
  ),
  InstallHelmFailed: m('AM5052', 'error', 'InstallHelmFailed', '{release}: {reason}', {
    description: 'helm failed to install or upgrade a release.',
    fix: "Read helm's reason (values, chart version, cluster state).",
    example: '`--set` of a value the chart rejects',
  }),
  UpgradeRemovesCrds: m(
    'AM5053',
    'error',
    'UpgradeRemovesCrds',
    '{release} {version} would remove CRDs that anymesh-managed objects still use: {objects}; delete them first (anymesh delete) or pass --force',
    {
      description: 'The target chart version no longer ships CRDs that objects anymesh applied still use.',
      fix: 'Delete those objects first (anymesh delete), or pass --force to upgrade anyway.',
      example: 'upgrading to a chart that drops a v1beta1 CRD still in use',
    },
  ),
  UninstallRefused: m(
    'AM5054',
    'error',
    'UninstallRefused',
    '{count} anymesh-managed {policies} still {verb} on {mesh}: {objects}; delete them (anymesh delete) or pass --force',
    {
      description:
        'Objects anymesh applied still use the mesh, so removing it would leave them without effect.',
      fix: 'Delete them first (anymesh delete), or pass --force.',
      example: '`anymesh uninstall MESH` while native objects applied by anymesh exist',
    },
  ),
  UninstallNotHelm: m(
    'AM5055',
    'error',
    'UninstallNotHelm',
    '{mesh} in {namespace} was not installed with Helm: anymesh does not remove it',
    {
      description:
        'The mesh was installed another way (its own CLI, hand-written manifests), so anymesh does not know all it made.',
      fix: 'Remove it with the tool that installed it.',
      example: 'Istio installed with istioctl install',
    },
  ),
  InstallRolledBack: m('AM5056', 'warning', 'InstallRolledBack', '{release}: {how}', {
    description: 'An install or upgrade that did not become ready was rolled back.',
    fix: 'Read the diagnostics before it for the cause.',
    example: 'an upgrade whose new pods crash, rolled back to the previous release',
  }),
} as const satisfies Record<string, MessageType>;

export type CoreMessage = keyof typeof CORE_MESSAGES;

/**
 * Codes that are no longer used. They keep their old meaning in the docs and are never given a new
 * one: a user's filter on a retired code matches nothing rather than something else.
 */
export const RETIRED_CODES: Readonly<Record<string, { readonly name: string; readonly replacedBy: string }>> =
  {
    AM3006: {
      name: 'PolicyConflict',
      replacedBy:
        'AM3000 (an adapter crashed), AM3014 (two MTLSPolicies for one scope), AM3015 (one version, two label sets), AM3016 (two policies, one native object name), AM4216 and AM4217 (Linkerd), AM4310 (Consul), AM4426 (App Mesh)',
    },
  };
