// `tabby lab run --annotation KEY=VALUE`: pod annotations reach the CNI plugin in CNI_ARGS (Calico reads them
// from the Kubernetes API, which the lab does not have). No root needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAnnotations } from '../../src/ctl/lab.ts';
import { attachment } from '../../src/lab/pods.ts';
import { formatCniArgs } from '../../src/lab/cni-runtime.ts';
import { parseCniArgs } from '../../src/cni/netconf.ts';
import type { LabPodState } from '../../src/lab/state.ts';

test('--annotation parses key=value (JSON values included) and names bad input', () => {
  assert.deepEqual(parseAnnotations(['cni.projectcalico.org/ipv4pools=["pool-a","10.1.0.0/24"]', 'cni.projectcalico.org/ipAddrs=["10.1.0.7"]', 'note=a=b']), {
    'cni.projectcalico.org/ipv4pools': '["pool-a","10.1.0.0/24"]', 'cni.projectcalico.org/ipAddrs': '["10.1.0.7"]', note: 'a=b',
  });
  assert.throws(() => parseAnnotations(['novalue']), /--annotation takes key=value, got "novalue"/);
  assert.throws(() => parseAnnotations(['bad key=x']), /--annotation key "bad key" is not a valid annotation name/);
  assert.throws(() => parseAnnotations(['k=a;b']), /the value may not contain ';'/);
});

test('a pod\'s annotations travel in CNI_ARGS under their own names and parse back unchanged', () => {
  const pod: LabPodState = {
    name: 'web-1', namespace: 'shop', app: 'web', node: 'node01', netns: 'lab-web-1', containerId: 'c'.repeat(64), uid: 'u',
    labels: { app: 'web' }, annotations: { 'cni.projectcalico.org/ipv4pools': '["blue"]', 'cni.projectcalico.org/ipAddrs': '["10.1.0.7"]' },
    status: 'ContainerCreating', createdAt: new Date(0).toISOString(),
  };
  const args = parseCniArgs(formatCniArgs(attachment(pod).args));
  assert.equal(args['cni.projectcalico.org/ipv4pools'], '["blue"]');
  assert.equal(args['cni.projectcalico.org/ipAddrs'], '["10.1.0.7"]');
  assert.equal(args.K8S_POD_NAMESPACE, 'shop');
  const { annotations: _, ...plain } = pod;
  assert.ok(!Object.keys(attachment(plain).args).some((k) => k.startsWith('cni.projectcalico.org/')));
});
