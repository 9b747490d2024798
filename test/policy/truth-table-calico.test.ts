// Calico policy semantics as truth tables: tiers and Pass, GlobalNetworkPolicy, rule and policy order, nets,
// notSelector, notPorts, named ports, NetworkSet/GlobalNetworkSet peers, profiles. Same topology and probing.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { netnsSkipReason } from '../helpers/netns.ts';
import { PolicyLab } from './lab.ts';
import { CALICO_CASES } from './cases.ts';
import { runCase } from './run-case.ts';

describe('Calico policy truth tables (tiers, GNP, Pass, network sets, profiles)', { skip: netnsSkipReason() }, () => {
  let lab: PolicyLab;
  before(async () => { lab = await PolicyLab.create(2); });
  after(() => lab?.cleanup());
  for (const c of CALICO_CASES) {
    test(c.name, async () => {
      assert.ok(lab, 'lab was built');
      await runCase(lab, c);
    });
  }
});
