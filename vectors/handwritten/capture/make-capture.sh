#!/bin/sh
# Recreates v4-12msg-fin.pcap: 12 TCP_NODELAY writes (one PSH segment each) then FIN,
# between two network namespaces over a veth pair, captured on the receiver.
# Needs root, iproute2, tcpdump, python3.  Output lands in /tmp/h5cap/small.pcap.
# A new run has new ISNs and ports: the committed pcap is the one the
# hand-written vectors (../*.json) point into; regenerating means re-deriving
# their state, flow and capture_sha256.
mkdir -p /tmp/h5cap && cd /tmp/h5cap
cat > peer.py <<'PYEOF'
import socket, sys, time
role = sys.argv[1]
if role == "srv":
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("10.99.0.2", 5001)); s.listen(1)
    c, _ = s.accept(); tot = 0
    while True:
        d = c.recv(65536)
        if not d: break
        tot += len(d)
    c.close(); print("got", tot)
else:
    c = socket.create_connection(("10.99.0.2", 5001))
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sizes = [100, 200, 300, 50, 400, 150, 250, 120, 80, 350, 60, 40]
    for i, n in enumerate(sizes):
        c.sendall(bytes(((i * 37 + k * 7) & 0xff) for k in range(n)))
        time.sleep(0.02)
    time.sleep(0.05)
    c.close()
PYEOF
set -e
ip netns del h5a 2>/dev/null || true; ip netns del h5b 2>/dev/null || true
ip netns add h5a; ip netns add h5b
ip link add h5va type veth peer name h5vb
ip link set h5va netns h5a; ip link set h5vb netns h5b
ip -n h5a addr add 10.99.0.1/24 dev h5va; ip -n h5b addr add 10.99.0.2/24 dev h5vb
ip -n h5a link set h5va up; ip -n h5b link set h5vb up
ip -n h5a link set lo up; ip -n h5b link set lo up
ip netns exec h5a ethtool -K h5va tso off gso off gro off 2>/dev/null || true
ip netns exec h5b ethtool -K h5vb tso off gso off gro off 2>/dev/null || true
ip netns exec h5b tcpdump -i h5vb -U -w /tmp/h5cap/small.pcap tcp port 5001 2>/tmp/h5cap/td.err &
TD=$!
sleep 1
ip netns exec h5b /usr/bin/python3 peer.py srv & SRV=$!
sleep 0.3
ip netns exec h5a /usr/bin/python3 peer.py cli
wait $SRV
sleep 0.5
kill $TD; wait $TD || true
ip netns del h5a; ip netns del h5b
