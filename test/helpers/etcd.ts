// Which etcd the tests use. scripts/test.sh starts a private one and sets TABBY_TEST_ETCD_ENDPOINTS; a run
// without it skips the etcd suites visibly (each reports the reason). In CI (CI=true) a missing etcd is an
// error instead: a suite that silently never runs there would prove nothing.
export type TestEtcd = { endpoints: string[]; skip: false } | { endpoints: undefined; skip: string };

export function testEtcd(env: NodeJS.ProcessEnv = process.env): TestEtcd {
  const endpoints = (env.TABBY_TEST_ETCD_ENDPOINTS ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  if (endpoints.length) return { endpoints, skip: false };
  if (env.CI === 'true') {
    throw new Error('CI=true but TABBY_TEST_ETCD_ENDPOINTS is not set: the etcd suites must run in CI (scripts/test.sh starts an etcd)');
  }
  return { endpoints: undefined, skip: 'TABBY_TEST_ETCD_ENDPOINTS not set (scripts/test.sh starts an etcd)' };
}
