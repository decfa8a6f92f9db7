#!/bin/bash
# capture.sh -- record one real Linux TCP transfer between two network namespaces.
#
# Where it sits: first step of torc's vector pipeline.  It builds a throw-away
# topology (sender netns -> [impairment relay netns] -> receiver netns), runs
# tcp_peer.py (deterministic byte stream, chosen write pattern) across it,
# records the traffic with tcpdump on the receiver's side (so the file shows
# what the receiver got), checks that tcpdump dropped nothing and that the
# receiver got the exact stream, then verifies the file with manifest.py
# (handshake, data, FIN, retransmission/out-of-order/duplicate counts) and,
# with --record, upserts its row in MANIFEST.tsv.  `torc vectorize` later turns
# the receiver-direction data segments of each flow into test vectors.
#
# Usage: capture.sh --out FILE [options]      (run as root; see --help)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
PORT=5001

usage() {
  cat <<'USAGE'
usage: capture.sh --out FILE [options]
  --family 4|6            IP version (default 4)
  --mtu N                 MTU of every link on the path (default 1500)
  --bytes N               bytes the sender sends (default 65536)
  --write-pattern P       bulk | small | random (default bulk)
  --chunk N               write size for 'small' (default 100)
  --max-chunk N           largest write for 'random' (default 16384)
  --gap-ms MS             sleep between writes (random: on ~10% of writes)
  --nodelay               TCP_NODELAY on the sender
  --urgent-every N        sender sends the byte at every multiple of N with MSG_OOB (URG)
  --rcvbuf N              receiver SO_RCVBUF (small: window closes/reopens)
  --rcv-sleep-every N --rcv-sleep-ms MS   receiver sleeps after every N bytes read
  --loss PERMILLE         nftables in the receiver netns drops this share of payload
                          segments on input (never SYN/FIN/RST); tcpdump still sees them
  --relay-drop PERMILLE   the relay drops payload segments before the receiver (not captured)
  --reorder PERMILLE      relay: send this share of payload segments after the next one
  --dup PERMILLE          relay: send this share of payload segments twice
  --delay MS              relay: constant delay on every frame, both directions
  --jitter MS             relay: random 0..MS extra delay on payload segments
  --rate RATE             tbf pacing on the sender's link (tc syntax, e.g. 20mbit);
                          default 20mbit when the relay is used, none otherwise
  --link L                ether (default) | any (Linux SLL, tcpdump -i any) |
                          sll2 (-i any -y LINUX_SLL2) | lo (both peers on loopback) |
                          raw (tun devices, LINKTYPE_RAW) | vlan (802.1Q-tagged SPAN copy)
  --vlan-id N             VLAN id for --link vlan (default 100)
  --format pcap|pcapng    pcapng: convert with editcap -F pcapng afterwards
  --seed N                stream and relay seed (default 1)
  --record                upsert this capture's row in MANIFEST.tsv
  --keep-logs             keep the temporary log directory
USAGE
}

die() { echo "capture.sh: $*" >&2; exit 2; }

# ---- arguments -------------------------------------------------------------
ORIG_ARGS=("$@")
FAMILY=4 MTU=1500 BYTES=65536 PATTERN=bulk CHUNK=100 MAXCHUNK=16384 GAP=0 NODELAY=0
URGENT=0 RCVBUF=0 SLEEP_EVERY=0 SLEEP_MS=0 LOSS=0 RDROP=0 REORDER=0 DUP=0 DELAY=0 JITTER=0
RATE="" LINK=ether VLAN=100 FORMAT=pcap SEED=1 OUT="" RECORD=0 KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --family) FAMILY=$2; shift ;;
    --mtu) MTU=$2; shift ;;
    --bytes) BYTES=$2; shift ;;
    --write-pattern) PATTERN=$2; shift ;;
    --chunk) CHUNK=$2; shift ;;
    --max-chunk) MAXCHUNK=$2; shift ;;
    --gap-ms) GAP=$2; shift ;;
    --nodelay) NODELAY=1 ;;
    --urgent-every) URGENT=$2; shift ;;
    --rcvbuf) RCVBUF=$2; shift ;;
    --rcv-sleep-every) SLEEP_EVERY=$2; shift ;;
    --rcv-sleep-ms) SLEEP_MS=$2; shift ;;
    --loss) LOSS=$2; shift ;;
    --relay-drop) RDROP=$2; shift ;;
    --reorder) REORDER=$2; shift ;;
    --dup) DUP=$2; shift ;;
    --delay) DELAY=$2; shift ;;
    --jitter) JITTER=$2; shift ;;
    --rate) RATE=$2; shift ;;
    --link) LINK=$2; shift ;;
    --vlan-id) VLAN=$2; shift ;;
    --format) FORMAT=$2; shift ;;
    --seed) SEED=$2; shift ;;
    --out) OUT=$2; shift ;;
    --record) RECORD=1 ;;
    --keep-logs) KEEP=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done
RECORD_ARGS=()
for a in "${ORIG_ARGS[@]}"; do [ "$a" = --record ] || [ "$a" = --keep-logs ] || RECORD_ARGS+=("$a"); done

[ -n "$OUT" ] || { usage >&2; die "--out FILE is required"; }
case "$FAMILY" in 4|6) ;; *) die "--family must be 4 or 6" ;; esac
case "$PATTERN" in bulk|small|random) ;; *) die "--write-pattern must be bulk, small or random" ;; esac
case "$LINK" in ether|any|sll2|lo|raw|vlan) ;; *) die "unknown --link $LINK" ;; esac
case "$FORMAT" in pcap|pcapng) ;; *) die "--format must be pcap or pcapng" ;; esac
for n in "$MTU" "$BYTES" "$LOSS" "$RDROP" "$REORDER" "$DUP" "$SEED" "$VLAN"; do
  [[ "$n" =~ ^[0-9]+$ ]] || die "not a non-negative integer: $n"
done
[ "$FAMILY" = 4 ] || [ "$MTU" -ge 1280 ] || die "IPv6 needs --mtu >= 1280"
[ "$MTU" -ge 576 ] || die "--mtu must be >= 576"

# ---- prerequisites ---------------------------------------------------------
[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, tcpdump)"
need() { command -v "$1" >/dev/null 2>&1 || die "missing tool '$1' (apt-get install -y $2)"; }
need ip iproute2; need tc iproute2; need tcpdump tcpdump; need ethtool ethtool
need timeout coreutils; need sha256sum coreutils
[ -x "$PY" ] || die "missing $PY (apt-get install -y python3)"
[ "$LOSS" = 0 ] || need nft nftables
[ "$FORMAT" = pcap ] || need editcap wireshark-common
need tshark tshark

USE_RELAY=0
if [ "$REORDER$DUP$RDROP" != 000 ] || [ "$DELAY" != 0 ] || [ "$JITTER" != 0 ] || [ "$LINK" = vlan ]; then
  USE_RELAY=1
fi
[ "$LINK" != lo ] || [ "$USE_RELAY" = 0 ] || die "--link lo cannot use the relay impairments"
[ -n "$RATE" ] || { [ "$USE_RELAY" = 0 ] && [ "$LINK" != raw ]; } || RATE=20mbit

# ---- topology names, cleanup -----------------------------------------------
P=torc-cap-$$
NS_S=$P-s NS_R=$P-r NS_M=$P-m NS_C=$P-c
T=tc$$   # prefix for temporary interface names (IFNAMSIZ is 16)
TMP=$(mktemp -d /tmp/torc-cap.XXXXXX)
PIDS=()
cleanup() {
  local rc=$?
  set +e
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  for ns in "$NS_S" "$NS_R" "$NS_M" "$NS_C"; do ip netns del "$ns" 2>/dev/null; done
  if [ "$rc" != 0 ] || [ "$KEEP" = 1 ]; then
    echo "capture.sh: logs kept in $TMP" >&2
    for f in "$TMP"/*.log; do [ -s "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }; done
  else
    rm -rf "$TMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$FAMILY" = 4 ]; then A_S=10.77.0.1 A_R=10.77.0.2; else A_S=fd77::1 A_R=fd77::2; fi

offloads_off() {  # ns dev
  ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 ||
    ip netns exec "$1" ethtool -K "$2" tso off gso off gro off >/dev/null 2>&1 ||
    echo "capture.sh: warning: could not turn all offloads off on $2" >&2
}
addr_up() {  # ns dev v4addr v6addr
  ip -n "$1" link set dev "$2" mtu "$MTU" up
  offloads_off "$1" "$2"
  ip -n "$1" addr add "$3/24" dev "$2"
  # IPv6 needs an MTU of at least 1280; below that the kernel disables it on the link
  [ "$MTU" -lt 1280 ] || ip -n "$1" addr add "$4/64" dev "$2" nodad
}
no_ipv6() {  # ns dev: a link that must stay silent
  ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
}
wait_file() {  # file what
  local i
  for i in $(seq 1 100); do [ -e "$1" ] && return 0; sleep 0.05; done
  die "timed out waiting for $2"
}
wait_for() {  # file pattern what
  local i
  for i in $(seq 1 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  die "timed out waiting for $3"
}

for ns in "$NS_S" "$NS_R"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
CAP_NS=$NS_R SEND_NS=$NS_S
case "$LINK" in
  lo)
    ip -n "$NS_R" link set lo mtu "$MTU"
    offloads_off "$NS_R" lo
    SEND_NS=$NS_R CAP_DEV=lo SEND_DEV=lo
    if [ "$FAMILY" = 4 ]; then A_S=127.0.0.1 A_R=127.0.0.1; else A_S=::1 A_R=::1; fi
    ;;
  raw)
    "$PY" "$HERE/impair_relay.py" --mode tun --a tS --netns-a "$NS_S" --b tR --netns-b "$NS_R" \
      --seed "$SEED" --ready-file "$TMP/relay.ready" 2>"$TMP/relay.log" &
    PIDS+=($!)
    wait_file "$TMP/relay.ready" "the tun relay"
    ip -n "$NS_S" link set tS mtu "$MTU" up; ip -n "$NS_R" link set tR mtu "$MTU" up
    offloads_off "$NS_S" tS; offloads_off "$NS_R" tR
    ip -n "$NS_S" addr add 10.77.0.1/24 dev tS; ip -n "$NS_R" addr add 10.77.0.2/24 dev tR
    if [ "$MTU" -ge 1280 ]; then
      ip -n "$NS_S" addr add fd77::1/64 dev tS nodad; ip -n "$NS_R" addr add fd77::2/64 dev tR nodad
    fi
    CAP_DEV=tR SEND_DEV=tS
    ;;
  *)
    if [ "$USE_RELAY" = 0 ]; then
      ip link add "${T}vs" type veth peer name "${T}vr"
      ip link set "${T}vs" netns "$NS_S" name vS; ip link set "${T}vr" netns "$NS_R" name vR
    else
      ip netns add "$NS_M"
      ip netns exec "$NS_M" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
      ip link add "${T}vs" type veth peer name "${T}m0"
      ip link add "${T}vr" type veth peer name "${T}m1"
      ip link set "${T}vs" netns "$NS_S" name vS; ip link set "${T}vr" netns "$NS_R" name vR
      ip link set "${T}m0" netns "$NS_M" name m0; ip link set "${T}m1" netns "$NS_M" name m1
      MIRROR=()
      if [ "$LINK" = vlan ]; then
        ip netns add "$NS_C"; ip -n "$NS_C" link set lo up
        ip link add "${T}m2" type veth peer name "${T}sp"
        ip link set "${T}m2" netns "$NS_M" name m2; ip link set "${T}sp" netns "$NS_C" name span0
        no_ipv6 "$NS_C" span0
        ip -n "$NS_C" link set span0 mtu $((MTU + 4)) up; offloads_off "$NS_C" span0
        ip netns exec "$NS_C" ethtool -K span0 rxvlan off txvlan off >/dev/null 2>&1 || true
        MIRROR=(--mirror m2 --mirror-vlan "$VLAN")
        CAP_NS=$NS_C
      fi
      for d in m0 m1 ${MIRROR:+m2}; do
        no_ipv6 "$NS_M" "$d"
        ip -n "$NS_M" link set "$d" mtu $((MTU + 4)) up; offloads_off "$NS_M" "$d"
      done
      ip netns exec "$NS_M" "$PY" "$HERE/impair_relay.py" --mode packet --a m0 --b m1 "${MIRROR[@]}" \
        --seed "$SEED" --drop "$RDROP" --reorder "$REORDER" --dup "$DUP" --delay "$DELAY" \
        --jitter "$JITTER" --ready-file "$TMP/relay.ready" 2>"$TMP/relay.log" &
      PIDS+=($!)
      wait_file "$TMP/relay.ready" "the relay"
    fi
    addr_up "$NS_S" vS 10.77.0.1 fd77::1
    addr_up "$NS_R" vR 10.77.0.2 fd77::2
    CAP_DEV=vR SEND_DEV=vS
    [ "$LINK" = vlan ] && CAP_DEV=span0
    ;;
esac

if [ -n "$RATE" ]; then
  ip netns exec "$SEND_NS" tc qdisc add dev "$SEND_DEV" root tbf rate "$RATE" \
    burst $(( (MTU + 100) * 4 )) latency 400ms
fi

if [ "$LOSS" != 0 ]; then
  # Payload-bearing segments only: no SYN/FIN/RST, and longer than any header-only
  # packet (20/40 IP + at most 60 TCP bytes), so the handshake and FIN always pass.
  ip netns exec "$NS_R" nft -f - <<NFT
table inet torc_loss {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport $PORT tcp flags & (syn | fin | rst) == 0 meta length > 100 numgen random mod 1000 < $LOSS counter drop
  }
}
NFT
fi

# ---- capture ---------------------------------------------------------------
TCPDUMP_ARGS=(-i "$CAP_DEV")
BUF_KIB=4096
case "$LINK" in any) TCPDUMP_ARGS=(-i any -y LINUX_SLL) ;; sll2) TCPDUMP_ARGS=(-i any -y LINUX_SLL2) ;; esac
# libpcap sizes each ring slot from the link MTU, but "any" has none, so with -s 0
# every slot is ~256 KiB: a 4 MiB buffer would hold only ~15 frames.  Give it 128 MiB.
case "$LINK" in any|sll2) BUF_KIB=131072 ;; esac
RAWOUT="$TMP/capture.pcap"
ip netns exec "$CAP_NS" tcpdump "${TCPDUMP_ARGS[@]}" -n -w "$RAWOUT" -s 0 -B "$BUF_KIB" -U --immediate-mode 2>"$TMP/tcpdump.log" &
TCPDUMP_PID=$!
PIDS+=($TCPDUMP_PID)
wait_for "$TMP/tcpdump.log" "listening on" "tcpdump to start"
sleep 0.2

RECV_ARGS=(--bind "$A_R" --bytes "$BYTES" --seed "$SEED")
[ "$RCVBUF" = 0 ] || RECV_ARGS+=(--rcvbuf "$RCVBUF")
[ "$SLEEP_EVERY" = 0 ] || RECV_ARGS+=(--sleep-every "$SLEEP_EVERY" --sleep-ms "$SLEEP_MS")
ip netns exec "$NS_R" "$PY" "$HERE/tcp_peer.py" recv "${RECV_ARGS[@]}" >"$TMP/recv.out" 2>"$TMP/recv.log" &
RECV_PID=$!
PIDS+=($RECV_PID)
wait_for "$TMP/recv.out" READY "the receiver to listen"

SEND_ARGS=(--host "$A_R" --bytes "$BYTES" --seed "$SEED" --pattern "$PATTERN" --chunk "$CHUNK"
           --max-chunk "$MAXCHUNK" --gap-ms "$GAP")
[ "$NODELAY" = 0 ] || SEND_ARGS+=(--nodelay)
[ "$URGENT" = 0 ] || SEND_ARGS+=(--urgent-every "$URGENT")
ip netns exec "$SEND_NS" timeout 300 "$PY" "$HERE/tcp_peer.py" send "${SEND_ARGS[@]}" 2>"$TMP/send.log" ||
  die "sender failed"
wait "$RECV_PID" || die "receiver failed (stream mismatch?)"
cat "$TMP/send.log" "$TMP/recv.log" >&2
sleep 1       # let the last ACKs through (and the relay's delay queue drain)

kill -INT "$TCPDUMP_PID"
wait "$TCPDUMP_PID" || true
DROPPED=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$TMP/tcpdump.log")
[ -n "$DROPPED" ] || die "could not read tcpdump's drop count"
[ "$DROPPED" = 0 ] || die "tcpdump reported $DROPPED packets dropped by kernel; lower --rate"
[ -s "$TMP/relay.log" ] && cat "$TMP/relay.log" >&2
[ "$LOSS" = 0 ] || ip netns exec "$NS_R" nft list chain inet torc_loss input | grep -o 'counter.*' >&2

if [ "$FORMAT" = pcapng ]; then
  editcap -F pcapng "$RAWOUT" "$OUT"
else
  cp "$RAWOUT" "$OUT"
fi

# ---- verify (and record) ---------------------------------------------------
IMPAIR=()
[ "$LOSS" = 0 ] || IMPAIR+=("loss=$LOSS")
[ "$RDROP" = 0 ] || IMPAIR+=("relay-drop=$RDROP")
[ "$REORDER" = 0 ] || IMPAIR+=("reorder=$REORDER")
[ "$DUP" = 0 ] || IMPAIR+=("dup=$DUP")
[ "$DELAY" = 0 ] || IMPAIR+=("delay=${DELAY}ms")
[ "$JITTER" = 0 ] || IMPAIR+=("jitter=${JITTER}ms")
[ "$RCVBUF" = 0 ] || IMPAIR+=("rcvbuf=$RCVBUF")
[ "$SLEEP_EVERY" = 0 ] || IMPAIR+=("rcv-sleep=${SLEEP_MS}ms/${SLEEP_EVERY}B")
[ -z "$RATE" ] || IMPAIR+=("rate=$RATE")
PATTERN_DESC=$PATTERN
[ "$PATTERN" != small ] || PATTERN_DESC="small/$CHUNK"
[ "$NODELAY" = 0 ] || PATTERN_DESC+="+nodelay"
[ "$URGENT" = 0 ] || PATTERN_DESC+="+urgent/$URGENT"
IMPAIR_DESC=$(IFS=,; echo "${IMPAIR[*]:-none}")

VERIFY=("$PY" "$HERE/manifest.py" verify "$OUT" --port "$PORT" --seed "$SEED" --bytes "$BYTES")
if [ "$RECORD" = 1 ]; then
  VERIFY+=(--record "$HERE/MANIFEST.tsv"
           --command "$(printf '%q ' ./capture.sh "${RECORD_ARGS[@]}" | sed 's/ $//')"
           --meta "family=$FAMILY" --meta "mtu=$MTU" --meta "bytes=$BYTES"
           --meta "write_pattern=$PATTERN_DESC" --meta "impairments=$IMPAIR_DESC"
           --meta "seed=$SEED" --meta "link=$LINK" --meta "dropped_by_kernel=$DROPPED"
           --meta "kernel=$(uname -r)" --meta "tcpdump=$(tcpdump --version | head -n1 | sed 's/tcpdump version //')")
fi
"${VERIFY[@]}"
