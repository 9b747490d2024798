// Kubernetes NetworkPolicy conformance in the style of upstream's netpol e2e: namespaces x, y, z × pods
// a, b, c over two nodes, TCP and UDP on 80 and 81; every pair probed against the evaluator's matrix.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { netnsSkipReason } from '../helpers/netns.ts';
import { PolicyLab } from './lab.ts';
import { K8S_CASES } from './cases.ts';
import { runCase } from './run-case.ts';

describe('Kubernetes NetworkPolicy truth tables', { skip: netnsSkipReason() }, () => {
  let lab: PolicyLab;
  before(async () => { lab = await PolicyLab.create(2); });
  after(() => lab?.cleanup());
  for (const c of K8S_CASES) {
    test(c.name, async () => {
      assert.ok(lab, 'lab was built');
      await runCase(lab, c);
    });
  }
});
