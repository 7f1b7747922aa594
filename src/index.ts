/** anymesh as a library: the same pipeline the CLI runs. */

export { ADAPTERS, adapterFor } from './adapters/index.js';
export * from './core/adapter.js';
export * from './core/capabilities.js';
export * from './core/compiler/compile.js';
export * from './core/diagnostics.js';
export * from './core/features/index.js';
export * from './core/model/schema.js';
export * from './core/pipeline.js';
export * from './core/render.js';
