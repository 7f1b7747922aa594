/**
 * Generates realistic TrafficPolicies for the benchmark: a deterministic mix of canaries, header
 * routing, retries, timeouts, faults, mirrors, header rewrites and CORS, as platform teams write
 * them. Deterministic (seeded), so runs compare like with like.
 */
export function* policies(count, seed = 42) {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  for (let i = 0; i < count; i++) {
    const ns = `team-${i % 50}`;
    const svc = `svc-${i}`;
    const w = 5 + Math.floor(rand() * 90);
    const lines = [
      'apiVersion: anymesh.dev/v1alpha1',
      'kind: TrafficPolicy',
      `metadata: {name: ${svc}-routing, namespace: ${ns}}`,
      'spec:',
      `  service: ${svc}`,
      `  port: ${pick([80, 8080, 9080, 50051])}`,
      `  selector: {app: ${svc}}`,
      '  versions:',
      '    stable: {version: v1}',
      '    canary: {version: v2}',
      '  rules:',
      '    - name: testers',
      '      matches:',
      `        - headers: [{name: x-user, exact: tester-${i % 7}}]`,
      `          path: {prefix: /api/v${1 + (i % 3)}}`,
      '      backends: [{version: canary}]',
    ];
    if (rand() < 0.5)
      lines.push(`      fault: {delay: {duration: ${100 + (i % 9) * 100}ms, percentage: ${1 + (i % 10)}}}`);
    lines.push(
      '    - name: default',
      `      backends: [{version: stable, weight: ${100 - w}}, {version: canary, weight: ${w}}]`,
      `      timeout: ${1 + (i % 5)}s`,
      `      retries: {attempts: ${1 + (i % 4)}, perTryTimeout: 500ms, retryOn: [5xx, connect-failure]}`,
    );
    if (rand() < 0.3) lines.push('      mirror: {backend: {version: canary}, percentage: 10}');
    if (rand() < 0.5) lines.push('      requestHeaders: {set: {x-env: prod}, remove: [x-debug]}');
    if (rand() < 0.2) {
      lines.push(
        '      cors:',
        '        allowOrigins: [{exact: "https://shop.example.com"}, {regex: "https://.*\\\\.example\\\\.com"}]',
        '        allowMethods: [GET, POST]',
        '        maxAge: 24h',
      );
    }
    yield `${lines.join('\n')}\n`;
  }
}
