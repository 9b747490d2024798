// Issue #15 item 5: the lab restarts a dead agent, as kubelet restarts a DaemonSet pod. The back-off policy
// is checked as a pure function; then, in a real lab (root, its own namespaces, swept on failure): an agent
// killed with SIGKILL is back and answering its health endpoint within the back-off, `lab status` shows
// RESTARTS 1 and how it died, repeated crashes wait longer each time, and `lab down` leaves no process of
// the lab (checked by PID: supervisor and every agent it ever started) and no namespace.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { RESTART_BACKOFF, agentHealthy, nextConsecutiveCrashes, restartDelayMs } from '../../src/lab/supervisor.ts';
import { alive, labFixture, labNamespaces, mustTabby, readState, readSupervisorRecord, skip } from './helpers.ts';
import { waitUntil } from '../helpers/wait.ts';

describe('restart back-off (pure)', () => {
  test('1 s, doubling, capped at 30 s', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 50].map((n) => restartDelayMs(n)), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
  test('a run of at least the stable period starts the count again', () => {
    assert.equal(nextConsecutiveCrashes(5, RESTART_BACKOFF.stableMs), 1);
    assert.equal(nextConsecutiveCrashes(5, RESTART_BACKOFF.stableMs - 1), 6);
    assert.equal(nextConsecutiveCrashes(0, 10), 1);
  });
});

describe('lab supervisor', { skip }, () => {
  const cleanups: (() => void)[] = [];
  after(() => { for (const c of cleanups) c(); });

  test('kill -9 of an agent: restarted within the back-off, RESTARTS counted; repeated crashes back off; down leaves nothing', async () => {
    const { name, cleanup } = labFixture();
    cleanups.push(cleanup);
    mustTabby(['lab', 'up', '--name', name, '--nodes', '2', '--mode', 'vxlan']);
    const state = readState(name);
    const supervisorPid: number = state.supervisor?.pid;
    assert.ok(supervisorPid > 0 && alive(supervisorPid), `a supervisor runs: ${JSON.stringify(state.supervisor)}`);
    const node = state.nodes.find((n: any) => n.name === 'node01');
    const everyPid = new Set<number>([supervisorPid, ...state.nodes.map((n: any) => n.pid)]);

    // Each round kills the running agent and waits for the supervisor to bring it back.
    const backoffs: number[] = [];
    for (let round = 1; round <= 3; round++) {
      const before = readSupervisorRecord(name).agents.node01;
      assert.ok(before.pid > 0 && alive(before.pid), `round ${round}: node01's agent runs: ${JSON.stringify(before)}`);
      process.kill(before.pid, 'SIGKILL');
      const back = await waitUntil(() => {
        const rec = readSupervisorRecord(name)?.agents?.node01;
        return rec?.restarts === round && rec.pid > 0 && rec.pid !== before.pid;
      }, { timeoutMs: 40_000, everyMs: 100 });
      const rec = readSupervisorRecord(name).agents.node01;
      assert.ok(back, `round ${round}: not restarted: ${JSON.stringify(rec)}`);
      everyPid.add(rec.pid);
      assert.equal(rec.lastExit, 'killed by SIGKILL');
      // It waited the back-off it chose before starting again.
      assert.ok(Date.parse(rec.startedAt) - Date.parse(rec.lastExitAt) >= rec.backoffMs - 5, JSON.stringify(rec));
      backoffs.push(rec.backoffMs);
      assert.ok(await waitUntil(() => agentHealthy(node), { timeoutMs: 60_000, everyMs: 250 }), `round ${round}: the restarted agent's health endpoint does not answer`);
      if (round === 1) {
        const status = mustTabby(['lab', 'status', '--name', name]);
        assert.match(status, new RegExp(`supervisor: running \\(PID ${supervisorPid}\\)`));
        assert.match(status, new RegExp(`node01\\s+\\S+\\s+\\S+\\s+running \\(PID ${rec.pid}\\)\\s+Running\\s+1\\s+killed by SIGKILL`), status);
        assert.match(status, /controlplane\s+\S+\s+\S+\s+running \(PID \d+\)\s+Running\s+0\s+-/, status);
      }
    }
    // Crashes less than the stable period apart: each waits twice as long as the one before.
    assert.deepEqual(backoffs, [1000, 2000, 4000]);
    assert.equal(readSupervisorRecord(name).agents.controlplane.restarts, 0, 'the other node was left alone');

    mustTabby(['lab', 'down', '--name', name]);
    for (const pid of everyPid) assert.ok(!alive(pid), `process ${pid} of the lab still runs after down`);
    assert.deepEqual(labNamespaces(name), []);
  });
});
