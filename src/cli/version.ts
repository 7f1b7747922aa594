/** The anymesh version, shown by `--version` and written into ApplySet tooling annotations. */
export const VERSION = '0.1.0';
