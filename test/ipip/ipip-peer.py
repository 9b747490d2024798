# An independent RFC 2003 endpoint: plain Python raw sockets (IPPROTO_IPIP) in its own namespace. It sends
# an IP-in-IP encapsulated ICMP echo to a node and waits for the encapsulated reply, checking both headers.
# Usage: ipip-peer.py LOCAL_IP NODE_IP INNER_SRC INNER_DST
import socket, struct, sys, time

local, node, inner_src, inner_dst = sys.argv[1:5]

def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def iphdr(src, dst, proto, payload_len, ident):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + payload_len, ident, 0x4000, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack('!H', csum(h)) + h[12:]

icmp = struct.pack('!BBHHH', 8, 0, 0, 0x7ab, 1) + b'tabby-ipip-interop'
icmp = icmp[:2] + struct.pack('!H', csum(icmp)) + icmp[4:]
inner = iphdr(inner_src, inner_dst, 1, len(icmp), 1) + icmp

s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IPIP)  # kernel adds the outer header
s.bind((local, 0))
s.settimeout(3)
s.sendto(inner, (node, 0))
deadline = time.time() + 3
while time.time() < deadline:
    pkt, addr = s.recvfrom(65535)
    outer_src = socket.inet_ntoa(pkt[12:16]); proto = pkt[9]
    inn = pkt[20:]
    if proto != 4 or len(inn) < 28: continue
    isrc = socket.inet_ntoa(inn[12:16]); idst = socket.inet_ntoa(inn[16:20])
    if inn[9] == 1 and inn[20] == 0 and isrc == inner_dst and idst == inner_src:
        print('REPLY outer %s>%s inner %s>%s' % (outer_src, socket.inet_ntoa(pkt[16:20]), isrc, idst))
        sys.exit(0)
print('NO REPLY'); sys.exit(1)
