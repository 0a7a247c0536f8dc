// Lesson 6 — network: publishing a port with four nftables rules.
// Read lessons/06-network/README.md first.
//
// `-p 8080:80` asks that a connection to the host's port 8080 reach port 80
// of the container. Docker starts docker-proxy, a process that accepts on
// 8080 and copies every byte to the container and back: two sockets and two
// copies per connection, and the container sees the proxy's address, not
// the client's. Here the kernel does it: a DNAT rule rewrites the
// destination of the connection's first packet, conntrack remembers the
// rewrite and applies it (and its inverse, to the replies) to every later
// packet. No process, no copy. It takes four rules because packets reach
// the host by different paths (nft(8), "Address families", hooks):
//
// 1. prerouting, DNAT — packets that ARRIVE at the host: from another
//    machine, or from a container (through the bridge). The match is the
//    host address the flag named (`ip daddr 127.0.0.1`), or, for 0.0.0.0,
//    `fib daddr type local`: "sent to any address of this host". Not "any
//    destination": a packet a container sends to port 8080 of another
//    machine, or of another container, passes through prerouting too, and
//    must be left alone.
//
// 2. output, DNAT — packets the host ITSELF sends (`curl localhost:8080` on
//    the host) never pass prerouting: locally made packets start at the
//    output hook. Same rewrite there, and here `fib daddr type local`
//    always: the host's own connections to other machines' port 8080, or
//    to a container's, must not be touched.
//
// 3. postrouting, masquerade from 127.0.0.0/8 — after the output DNAT, a
//    connection from 127.0.0.1 is routed out of the bridge with source
//    127.0.0.1. The kernel refuses to route a loopback source off `lo`
//    (a "martian") unless route_localnet is set on the outgoing interface
//    (src sets it on kubik's bridge, never host-wide), and even then the
//    container could not answer 127.0.0.1: that is its own loopback. So
//    the source is rewritten to the bridge's address (masquerade: the
//    address of the interface the packet leaves by); the replies come back
//    to the host, and conntrack undoes both rewrites.
//
// 4. postrouting, masquerade of hairpin traffic — a container that connects
//    to its OWN published port through the host's address: after DNAT the
//    packet goes back to the container with the container's own address as
//    source, so the container would answer itself directly, and the client
//    side (expecting the host's address) would drop the reply. Masquerade
//    makes the host the source, and the replies go back through it.
//    On a host with br_netfilter loaded (bridge-nf-call-iptables=1, as
//    wherever docker has run), the DNAT'ed packet is not routed but sent
//    back through the bridge, out of the port it came in by: a bridge
//    never does that unless the port is in hairpin mode, which is why the
//    host end of the veth is attached with hairpin mode on.
//
// Each rule matches the protocol and port too (`tcp dport 80`), so that
// the rules of one port never touch another port's packets. The rules of
// one container are applied by src in one transaction and removed together
// when it stops (nft::Batch's owner comment).
#include "network.hpp"

#include "core/not_implemented.hpp"

#include <string>

namespace kubik::network {

namespace {

// TODO: helpers of your own, if you want them.

} // namespace

void add_port_rules(nft::Batch& batch, const PublishedPort& port, net::Ipv4Address container_ip,
                    [[maybe_unused]] const std::string& bridge) {
    // TODO: one batch.add_rule() per path a packet to the published port
    // can take (the comment at the top of this file): arriving at the host,
    // sent by the host itself, from 127.0.0.1, and hairpin. Write them in
    // nft's own syntax (nft.hpp shows the form), for tcp or udp. Match the
    // addresses as narrowly as the flag asks: traffic to other machines and
    // to other containers must never match.
    throw kubik::NotImplemented("not implemented yet: lesson 6 (network) — add_port_rules(); see lessons/06-network/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::network
