/**
 * The connection flags' names, with a value each: main.ts moves them behind the subcommand. A module
 * of its own so that argument handling does not load the cluster client (and node:https) with them.
 */
export const CONFIG_FLAGS_WITH_VALUE = [
  '--kubeconfig',
  '--context',
  '-n',
  '--namespace',
  '--request-timeout',
];
