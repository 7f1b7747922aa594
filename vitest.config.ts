import { defineConfig } from 'vitest/config';

// Three projects: the fast tiers (unit, golden, conformance, property, registry, cli) run in parallel;
// the behaviour tier asks the meshes' own code (Istio's xDS generation and analyzers through a Go
// driver, a real Consul agent's discovery chain) what an output means; the integration tier shares
// one real kube-apiserver started once by its global setup, so its files run one after another.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'fast',
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**', 'test/behaviour/**'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'behaviour',
          include: ['test/behaviour/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
