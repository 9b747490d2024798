// SPDX-License-Identifier: (GPL-2.0 OR Apache-2.0)
// IP-in-IP (RFC 2003) for kernels without the ipip module, at kernel speed with tc eBPF.
//
// tunl0 is a TUN device (an L3 device the kernel can route to) that never sees a packet itself:
//  - egress on tunl0: a packet routed `<block> via <node IP> dev tunl0 onlink` gets an outer IPv4 header
//    (local node address -> the route's gateway, protocol 4) and is sent out of the fabric interface with
//    bpf_redirect_neigh, which resolves the next hop's MAC like the kernel's own output path.
//  - ingress on the fabric interface: a protocol-4 packet addressed to this node loses its outer header and is
//    redirected to tunl0's ingress, so it arrives "from the tunnel" exactly as with the kernel's ipip driver.
//
// Why it does not collapse TCP: the kernel hands tc whole GSO super-packets. Encapsulation and decapsulation
// therefore tell the kernel what they did (ENCAP_L3_IPV4 sets SKB_GSO_IPXIP4 + inner headers so software GSO
// segments correctly; DECAP_L3_IPV4 clears them so the receiving stack sees a plain TCP GSO packet) and keep
// gso_size fixed (the pod MTU already leaves room for the 20-byte outer header).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#ifndef AF_INET
#define AF_INET 2
#endif
// Newer than Debian 12's uapi headers; values from the kernel's include/uapi/linux/bpf.h.
#define ADJ_ROOM_DECAP_L3_IPV4 (1ULL << 7)
#define FIB_LOOKUP_SKIP_NEIGH (1U << 2)
#define FIB_LOOKUP_SRC (1U << 4)

#ifndef TC_ACT_OK
#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
#endif

// Counters by outcome, readable with `bpftool map dump name ipip_stats` (debugging a dataplane).
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} ipip_stats SEC(".maps");

enum { ST_ENCAP = 0, ST_EGRESS_NOT_IP, ST_FIB1, ST_FIB2, ST_LOOP, ST_ADJ, ST_DECAP, ST_DECAP_ERR, ST_LOAD };

static __always_inline void count(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&ipip_stats, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
}

static __always_inline __u16 csum_fold_helper(__u64 csum)
{
	for (int i = 0; i < 4; i++)
		if (csum >> 16)
			csum = (csum & 0xffff) + (csum >> 16);
	return ~csum;
}

SEC("tc/egress")
int tunl0_egress(struct __sk_buff *skb)
{
	if (skb->protocol != bpf_htons(ETH_P_IP)) {
		count(ST_EGRESS_NOT_IP);
		return TC_ACT_SHOT;
	}

	struct iphdr inner;
	if (bpf_skb_load_bytes(skb, 0, &inner, sizeof(inner)) < 0)
		return TC_ACT_SHOT;

	// 1. Which node? The route's gateway (`via <node IP>`); a route without one means the inner destination.
	struct bpf_fib_lookup fib = {};
	fib.family = AF_INET;
	fib.ipv4_dst = inner.daddr;
	fib.ifindex = skb->ifindex;
	long rc = bpf_fib_lookup(skb, &fib, sizeof(fib), BPF_FIB_LOOKUP_OUTPUT | FIB_LOOKUP_SKIP_NEIGH);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH) {
		count(ST_FIB1);
		return TC_ACT_SHOT;
	}
	__u32 remote = fib.ipv4_dst; // the gateway when the route has one

	// 2. How do we reach that node, and from which of our addresses? (An input-style lookup: an output
	//    lookup would be pinned to tunl0 as the outgoing interface.)
	struct bpf_fib_lookup out = {};
	out.family = AF_INET;
	out.ipv4_dst = remote;
	out.ifindex = skb->ifindex;
	rc = bpf_fib_lookup(skb, &out, sizeof(out), FIB_LOOKUP_SKIP_NEIGH | FIB_LOOKUP_SRC);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH) {
		count(ST_FIB2);
		return TC_ACT_SHOT;
	}
	if (out.ifindex == skb->ifindex) { // the node itself is routed into the tunnel: a loop
		count(ST_LOOP);
		return TC_ACT_SHOT;
	}

	// 3. Outer header, RFC 2003 §3.1: TOS copied, DF copied, TTL fresh.
	struct iphdr outer = {};
	outer.version = 4;
	outer.ihl = 5;
	outer.tos = inner.tos;
	outer.tot_len = bpf_htons(skb->len + sizeof(outer));
	outer.frag_off = inner.frag_off & bpf_htons(0x4000);
	outer.ttl = 64;
	outer.protocol = IPPROTO_IPIP;
	outer.saddr = out.ipv4_src;
	outer.daddr = remote;
	__u64 sum = 0;
	__u16 *w = (__u16 *)&outer;
#pragma unroll
	for (int i = 0; i < 10; i++)
		sum += w[i];
	outer.check = csum_fold_helper(sum);

	if (bpf_skb_adjust_room(skb, sizeof(outer), BPF_ADJ_ROOM_MAC,
				BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_FIXED_GSO) ||
	    bpf_skb_store_bytes(skb, 0, &outer, sizeof(outer), 0)) {
		count(ST_ADJ);
		return TC_ACT_SHOT;
	}
	// bpf_redirect_neigh expects a frame with a (to be replaced) Ethernet header; tunl0 is L3, so add a
	// zeroed one that the neighbour output path then overwrites with the real addresses.
	if (bpf_skb_change_head(skb, ETH_HLEN, 0)) {
		count(ST_ADJ);
		return TC_ACT_SHOT;
	}
	count(ST_ENCAP);

	// No explicit next hop: the kernel then routes the outer packet itself and attaches that route to it,
	// so a packet that has to wait for ARP is later sent on that route, not back through tunl0's.
	return bpf_redirect_neigh(out.ifindex, NULL, 0, 0);
}

SEC("tc/ingress")
int fabric_ingress(struct __sk_buff *skb)
{
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	struct iphdr outer;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, &outer, sizeof(outer)) < 0)
		return TC_ACT_OK;
	if (outer.protocol != IPPROTO_IPIP || outer.ihl != 5 || (outer.frag_off & bpf_htons(0x3fff)))
		return TC_ACT_OK; // not ours to handle (fragments are left to the stack)

	// Only packets addressed to this node: a lookup of a local address is "not forwarded".
	struct bpf_fib_lookup fib = {};
	fib.family = AF_INET;
	fib.ipv4_src = outer.saddr;
	fib.ipv4_dst = outer.daddr;
	fib.ifindex = skb->ifindex;
	if (bpf_fib_lookup(skb, &fib, sizeof(fib), FIB_LOOKUP_SKIP_NEIGH) != BPF_FIB_LKUP_RET_NOT_FWDED)
		return TC_ACT_OK;

	if (bpf_skb_adjust_room(skb, -(int)sizeof(outer), BPF_ADJ_ROOM_MAC,
				ADJ_ROOM_DECAP_L3_IPV4 | BPF_F_ADJ_ROOM_FIXED_GSO)) {
		count(ST_DECAP_ERR);
		return TC_ACT_SHOT;
	}
	count(ST_DECAP);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
