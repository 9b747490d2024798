// Holding tunl0 (a persistent TUN device) open. Nothing is ever read from it: tc eBPF redirects every packet
// before the TUN driver sees it. The open file only gives the device carrier, so routes through it read like
// the kernel driver's (`… dev tunl0 onlink`, not `linkdown`). If the holder dies (agent restart), the routes
// are marked linkdown but stay in use, and the eBPF path keeps forwarding: no packet depends on this process.
import fs from 'node:fs';
import koffi from 'koffi';

const TUNSETIFF = 0x400454ca;
const IFF_TUN = 0x0001;
const IFF_NO_PI = 0x1000;
const IFNAMSIZ = 16;

let ioctl: ((fd: number, req: number, arg: Buffer) => number) | undefined;

function libcIoctl() {
  if (!ioctl) {
    const libc = koffi.load('libc.so.6');
    ioctl = libc.func('int ioctl(int fd, unsigned long req, _Inout_ uint8_t *arg)') as unknown as typeof ioctl;
  }
  return ioctl!;
}

export interface TunHold {
  readonly name: string;
  close(): void;
}

/** Attach to an existing (persistent) TUN device by name and keep it attached until close(). */
export function holdTun(name: string): TunHold {
  if (Buffer.byteLength(name) >= IFNAMSIZ) throw new Error(`interface name too long: ${name}`);
  const fd = fs.openSync('/dev/net/tun', fs.constants.O_RDWR);
  const ifr = Buffer.alloc(40);
  ifr.write(name, 0, 'ascii');
  ifr.writeUInt16LE(IFF_TUN | IFF_NO_PI, IFNAMSIZ);
  const rc = libcIoctl()(fd, TUNSETIFF, ifr);
  if (rc !== 0) {
    const errno = koffi.errno();
    fs.closeSync(fd);
    throw new Error(`TUNSETIFF ${name} failed (errno ${errno})`);
  }
  let open = true;
  return {
    name,
    close() {
      if (open) { open = false; fs.closeSync(fd); }
    },
  };
}
