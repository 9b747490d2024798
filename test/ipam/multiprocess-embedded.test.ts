// 8 processes, one per node, allocate 200 addresses each at once on the embedded SQLite datastore.
import { test } from 'node:test';
import { embeddedBackend } from './fixtures.ts';
import { scenario } from './multiprocess.ts';

test('8 node allocators in 8 processes, 200 addresses each: embedded SQLite datastore', { timeout: 170_000 }, async () => {
  const b = embeddedBackend();
  try {
    await scenario(b);
  } finally {
    await b.cleanup();
  }
});
