/**
 * Istio's own diagnostics (AM41xx). Compiling reports only core codes; these are the importer's
 * (`anymesh import --from istio`, src/adapters/istio/import.ts).
 */
import { type MessageType, message } from '../../core/diagnostics.js';

const m = message;

export const ISTIO_MESSAGES = {
  ImportNoNeutralForm: m('AM4101', 'warning', 'IstioImportNoNeutralForm', 'not imported: {reason}', {
    description:
      'An Istio field has no form in the neutral model (gateway binding, exportTo visibility, redirects, rewrites, DestinationRule traffic policies, conditions on request principals ...), so the import leaves it out and says so. `--strict` makes it an error.',
    fix: 'Keep the field in a native overlay applied next to the compiled objects, or drop it knowingly.',
    example:
      'a VirtualService route with `rewrite: {uri: /}`, or a DestinationRule with `trafficPolicy.connectionPool`',
  }),
  ImportMeaningChanges: m(
    'AM4102',
    'warning',
    'IstioImportMeaningChanges',
    'imported, but its meaning changes: {how}',
    {
      description:
        'An Istio field was imported into the closest neutral form, which behaves differently in a way the message names (e.g. `ignoreUriCase` becomes a case-sensitive path match). `--strict` makes it an error.',
      fix: 'Review the imported policy; change the native object or the imported policy so both mean the same.',
      example: 'a match with `uri: {prefix: /api}` and `ignoreUriCase: true`',
    },
  ),
  ImportSharedHost: m(
    'AM4103',
    'warning',
    'IstioImportSharedHost',
    'VirtualServices {names} all bind host {host}; Istio merges them only at gateways (for sidecars one wins, in no defined order), while the imported policies are merged in anymesh order (scoped policies first, then by name)',
    {
      description:
        'Several VirtualServices name the same host. Istio documents merging them only for gateways; anymesh imports each as its own TrafficPolicy, whose combined order may differ from what a sidecar did.',
      fix: 'Review the rule order of the imported policies, or join the VirtualServices into one before importing.',
      example: 'VirtualServices reviews-a and reviews-b, both with `hosts: [reviews]`',
    },
  ),
  ImportRuleRenamed: m(
    'AM4104',
    'info',
    'IstioImportRuleRenamed',
    'route name {name} is not a DNS-1123 label, so the rule takes the default name {rule}',
    {
      description:
        'Neutral rule names are DNS-1123 labels; an Istio route name that is not one is replaced by the default name. Names do not change routing.',
      fix: 'Nothing; rename the route if the name matters to you.',
      example: '`http: [{name: Canary_Route, ...}]`',
    },
  ),
} satisfies Record<string, MessageType>;
