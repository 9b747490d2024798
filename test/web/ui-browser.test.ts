// `tabby lab ui` in headless Chromium (Debian's, driven by playwright-core; nothing downloaded) against a live
// two-node lab (root): every node and pod listed; a pod run or deleted appears or goes without a reload; an
// agent stopped turns its BGP session from Established to another state; a trace across nodes draws its hops
// and says delivered, and after a deny policy says dropped and names the policy; no console errors.
// Screenshots go to test/artifacts/web/ (git-ignored).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createServer } from 'node:net';
import { labFixture, mustTabby, skip as labSkip, ROOT, TABBY, readSupervisorRecord, alive } from '../lab/helpers.ts';
import { waitForOutput } from '../helpers/wait.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = labSkip || (fs.existsSync(CHROMIUM) ? false : `no ${CHROMIUM} (bash scripts/setup.sh installs Debian's chromium)`);
const ARTIFACTS = path.join(ROOT, 'test', 'artifacts', 'web');

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('tabby lab ui in a browser', { skip }, () => {
  const { name, cleanup } = labFixture();
  let ui: ChildProcess | undefined;
  let browser: import('playwright-core').Browser | undefined;
  let page: import('playwright-core').Page;
  const consoleErrors: string[] = [];
  const shot = (file: string) => page.screenshot({ path: path.join(ARTIFACTS, file), fullPage: true });

  before(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    mustTabby(['lab', 'up', '--name', name]);
    mustTabby(['lab', 'run', 'busybox', '--name', name, '--replicas', '2']);
    const port = await freePort();
    ui = spawn(TABBY, ['lab', 'ui', '--name', name, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForOutput(ui, /open http:\/\//, 60_000);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(`http://127.0.0.1:${port}/`);
  });
  after(async () => {
    await browser?.close();
    if (ui?.pid && ui.exitCode === null) ui.kill('SIGTERM');
    cleanup();
  });

  const podButtons = () => page.locator('#inventory [data-testid^="pod-"]').evaluateAll((els) => els.map((e) => e.textContent ?? ''));

  test('every node and pod is listed, and the sessions are Established', async () => {
    await page.getByTestId('node-controlplane').waitFor();
    await page.getByTestId('node-node01').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid^="pod-default-busybox"]').length === 2, null, { timeout: 30_000 });
    await page.getByRole('tab', { name: 'BGP' }).click();
    await page.locator('.state-Established').first().waitFor({ timeout: 60_000 });
    await shot('cluster.png');
  });

  test('a pod run appears without reload; deleted, it goes', async () => {
    mustTabby(['lab', 'run', 'web', '--name', name, '--replicas', '1', '--node', 'node01']);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid^="pod-default-web"]')].length === 1, null, { timeout: 30_000 });
    const web = (await podButtons()).find((t) => t.startsWith('default/web'))!;
    mustTabby(['lab', 'delete', web.split('/')[1]!, '--name', name]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid^="pod-default-web"]').length === 0, null, { timeout: 30_000 });
  });

  test('a pod\'s details: its interface and the policies that select it', async () => {
    await page.locator('[data-testid^="pod-default-busybox"]').first().click();
    await page.getByTestId('details-title').waitFor();
    assert.match(await page.locator('#details').innerText(), /cali[0-9a-f]{11}/);
  });

  test('a trace across nodes draws its hops and says delivered', async () => {
    // From the pod on the controlplane to the one on node01.
    const placed = await page.locator('#inventory section').evaluateAll((ss) => ss.map((s) => [s.getAttribute('data-testid'), [...s.querySelectorAll('[data-testid^="pod-default-busybox"]')].map((b) => b.textContent)]));
    const on = (node: string) => (placed.find(([n]) => n === `node-${node}`)?.[1] as string[] | undefined)?.[0];
    const busy = [on('controlplane')!, on('node01')!];
    assert.ok(busy[0] && busy[1], `a busybox pod on each node: ${JSON.stringify(placed)}`);
    await page.getByRole('tab', { name: 'Trace' }).click();
    await page.locator('#trace-src').selectOption(busy[0]!);
    await page.locator('#trace-dst').selectOption(busy[1]!);
    await page.locator('#trace-go').click();
    await page.getByTestId('trace-verdict').waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId('trace-verdict').innerText(), 'delivered');
    const drawn = (await page.locator('#graph').getAttribute('data-trace-hops')) ?? '';
    assert.deepEqual(drawn.split(' '), [`p:${busy[0]}`, 'n:controlplane', 'n:node01', `p:${busy[1]}`], 'the places of the hops, in order');
    assert.equal(await page.locator('#graph').getAttribute('data-trace-arrows'), `p:${busy[0]}>p:${busy[1]}`);
    assert.ok((await page.getByTestId('trace-hops').locator('li').count()) >= 6, 'every hop listed');
    await shot('trace-delivered.png');
  });

  test('with a deny policy the trace says dropped and names the policy', async () => {
    mustTabby(['lab', 'exec-node', 'controlplane', '--name', name, '--', 'tabby', 'apply', '-f', '-'], {
      input: 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: no-ping-busybox\nspec:\n  selector: app == \'busybox\'\n  ingress:\n  - action: Deny\n    protocol: ICMP\n',
    });
    // The agents enforce the policy a few milliseconds after the write: a trace asked in between says
    // delivered, as `tabby trace` would. Asked again (as a user would), it must come to say dropped.
    const deadline = Date.now() + 60_000;
    for (let verdict = ''; verdict !== 'dropped';) {
      assert.ok(Date.now() < deadline, `the trace still says ${verdict} a minute after the deny policy`);
      await page.locator('#trace-go').click();
      await page.waitForFunction(() => !document.querySelector('#trace-go')?.hasAttribute('disabled'), null, { timeout: 60_000 });
      verdict = await page.getByTestId('trace-verdict').innerText().catch(() => '');
    }
    assert.match(await page.getByTestId('trace-dropped-by').innerText(), /no-ping-busybox/);
    await shot('trace-dropped.png');
  });

  test('the reachability matrix: computed from the policies, then probed, both deny ICMP between the busyboxes', async () => {
    await page.getByRole('tab', { name: 'Reachability' }).click();
    await page.locator('#matrix-ns').selectOption('default');
    await page.locator('#matrix-proto').selectOption('icmp');
    await page.locator('#matrix-go').click();
    await page.getByTestId('matrix').waitFor({ timeout: 30_000 });
    const cells = page.locator('[data-testid^="cell-busybox"]');
    assert.equal(await cells.count(), 2);
    for (const t of await cells.allInnerTexts()) assert.match(t, /^deny \(ingress GlobalNetworkPolicy no-ping-busybox\)$/);
    await page.locator('#matrix-probe').click();
    await page.waitForFunction(() => {
      const probed = [...document.querySelectorAll('[data-testid^="cell-busybox"]')].filter((c) => /probe/.test(c.textContent ?? ''));
      return probed.length === 2 || document.querySelector('#matrix-out .error');
    }, null, { timeout: 90_000 });
    assert.equal(await page.locator('#matrix-out .error').count(), 0, await page.locator('#matrix-out').innerText());
    for (const t of await cells.allInnerTexts()) assert.match(t, /probe: deny$/, 'the probes agree with the model');
    await shot('matrix.png');
  });

  test('keyboard: a pod in the list is a focusable button, and Enter opens it', async () => {
    await page.locator('#inventory button').first().focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('details-title').waitFor();
    assert.equal(await page.getByRole('tab', { name: 'Pod' }).getAttribute('aria-selected'), 'true');
  });

  test('an agent stopped: its session leaves Established (another colour)', async () => {
    await page.getByRole('tab', { name: 'BGP' }).click();
    const sup = readSupervisorRecord(name);
    const agent: number = sup.agents.node01.pid;
    // The lab's supervisor would restart the agent at once: hold it while the agent is down.
    process.kill(sup.pid, 'SIGSTOP');
    try {
      process.kill(agent, 'SIGKILL');
      await page.waitForFunction(() => document.querySelector('[class^="state-"]')?.className === 'state-other', null, { timeout: 60_000 });
      const colour = await page.locator('.state-other').first().evaluate((e) => getComputedStyle(e).color);
      assert.equal(colour, 'rgb(207, 34, 46)');
      await shot('agent-stopped.png');
    } finally {
      if (alive(sup.pid)) process.kill(sup.pid, 'SIGCONT');
    }
  });

  test('no console errors', () => {
    assert.deepEqual(consoleErrors, []);
  });
});
