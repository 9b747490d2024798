// The pod sandbox image ("pause" image) the lab's container runtimes start, built here from Debian's
// busybox-static, since no registry is reachable: a docker-archive tarball (manifest.json, an image config,
// one layer) that `ctr images import` and `podman load` both read. Its process waits for SIGTERM/SIGKILL,
// as pause does; the pod's network namespace is what matters.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mustRunSync } from '../exec.ts';
import { TabbyError } from '../errors.ts';

export const SANDBOX_IMAGE = 'tabby.lab/pause:busybox';

/** Where Debian's busybox-static puts its binary. */
const BUSYBOX = '/bin/busybox';
/** Applets linked into the image's /bin (the sandbox runs sh and sleep; the rest helps a person poking at it). */
const APPLETS = ['sh', 'sleep', 'cat', 'ls', 'ip', 'ping', 'hostname'];
/** PID 1 of the sandbox: ends on SIGTERM (a shell that is PID 1 ignores it unless trapped). */
const ENTRYPOINT = ['/bin/sh', '-c', "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"];

export class SandboxImageError extends TabbyError {
  constructor(message: string) {
    super('SandboxImageUnavailable', message);
    this.name = 'SandboxImageError';
  }
}

/** True when busybox there is a static ELF64 executable: no PT_INTERP program header (a dynamic one would not run in the image). */
export function isStaticElf(file: string): boolean {
  let elf: Buffer;
  try { elf = fs.readFileSync(file); } catch { return false; }
  if (elf.length < 64 || elf.subarray(0, 4).toString('latin1') !== '\x7fELF' || elf[4] !== 2) return false;
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const off = phoff + i * phentsize;
    if (off + 4 > elf.length) return false;
    if (elf.readUInt32LE(off) === 3 /* PT_INTERP */) return false;
  }
  return true;
}

/**
 * Builds the image tarball under `dir` once (kept for later calls) and returns its path. Needs the
 * busybox-static package; says so when it is missing.
 */
export function buildSandboxImage(dir: string): string {
  const tarball = path.join(dir, 'pause-busybox.tar');
  if (fs.existsSync(tarball)) return tarball;
  if (!isStaticElf(BUSYBOX)) throw new SandboxImageError(`${BUSYBOX} is missing or not statically linked: install Debian's busybox-static (scripts/setup.sh does)`);
  const work = fs.mkdtempSync(path.join(dir, 'image-'));
  try {
    const rootfs = path.join(work, 'rootfs');
    const out = path.join(work, 'out');
    fs.mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
    for (const d of ['proc', 'sys', 'dev', 'etc', 'tmp']) fs.mkdirSync(path.join(rootfs, d));
    fs.copyFileSync(BUSYBOX, path.join(rootfs, 'bin', 'busybox'));
    fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
    for (const a of APPLETS) fs.symlinkSync('busybox', path.join(rootfs, 'bin', a));
    fs.mkdirSync(out);
    const layerTmp = path.join(work, 'layer.tar');
    mustRunSync(['tar', '--numeric-owner', '--owner=0', '--group=0', '--sort=name', '--mtime=@0', '-C', rootfs, '-cf', layerTmp, '.']);
    const layerDigest = sha256(fs.readFileSync(layerTmp));
    fs.mkdirSync(path.join(out, layerDigest));
    fs.renameSync(layerTmp, path.join(out, layerDigest, 'layer.tar'));
    const config = JSON.stringify({
      architecture: 'amd64', os: 'linux',
      config: { Entrypoint: ENTRYPOINT, Env: ['PATH=/bin'], WorkingDir: '/' },
      rootfs: { type: 'layers', diff_ids: [`sha256:${layerDigest}`] },
      history: [{ created: '1970-01-01T00:00:00Z', created_by: 'tabby lab: busybox-static' }],
    });
    const configDigest = sha256(Buffer.from(config));
    fs.writeFileSync(path.join(out, `${configDigest}.json`), config);
    fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify([{ Config: `${configDigest}.json`, RepoTags: [SANDBOX_IMAGE], Layers: [`${layerDigest}/layer.tar`] }]));
    const tmpTar = `${tarball}.${process.pid}.tmp`;
    mustRunSync(['tar', '--numeric-owner', '--owner=0', '--group=0', '-C', out, '-cf', tmpTar, '.']);
    fs.renameSync(tmpTar, tarball);
    return tarball;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
