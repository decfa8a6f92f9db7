#!/usr/bin/python3
"""A torc out-of-process target in Python: speaks docs/wire-protocol.md on
stdin/stdout and serves a shared-object target (by default torc's built-in
reference, build/lib/torc-reference.so) loaded with ctypes behind it.

Where it sits: torc starts it as `exec:` target and is the host; this
program is the target side of the protocol, the role torc-target-runner
plays in C.  It was written from the protocol page and torc/target.h alone,
as a vendor bridging to a driver or a remote machine would start, and it
uses only the Python standard library:

    torc run --target 'exec:/usr/bin/python3 examples/python-target/torc_reference_target.py --so build/lib/torc-reference.so'

Reading order: the codec (Reader, Writer), the channel (send, call), the
ctypes mirror of target.h, the host callbacks given to the .so (each one an
upcall), then the operations from the host (each one a call of the .so).
It does not send UP_HOLD_CHANGED (README.md says why).
"""
import ctypes as C
import os
import struct
import sys

# ---- Message types (docs/wire-protocol.md) --------------------------------
HELLO, RET = 0x01, 0x40
OP_DESTROY, OP_CONN_OPEN, OP_CONN_CLOSE, OP_INITIATE_OFFLOAD = 0x10, 0x11, 0x12, 0x13
OP_RECEIVE, OP_RECEIVE_RETURN, OP_SEGMENT, OP_ADVANCE_TIME = 0x14, 0x15, 0x16, 0x17
OP_TERMINATE_OFFLOAD, OP_GET_STATS, OP_RESET = 0x18, 0x19, 0x1A
UP_ALLOC, UP_FREE, UP_LOG, UP_OFFLOAD_COMPLETE = 0x30, 0x31, 0x32, 0x33
UP_RECEIVE_COMPLETE, UP_RECEIVE_INDICATE, UP_EVENT = 0x34, 0x35, 0x36
UP_TERMINATE_COMPLETE = 0x37
MAGIC, PROTOCOL, ABI = 0x43524F54, 1, 1
POISON = 0xA5
SUCCESS = 0


def die(why, status=3):
    sys.stderr.write("torc_reference_target.py: %s\n" % why)
    sys.stderr.flush()
    os._exit(status)  # also from inside a ctypes callback


# ---- The codec --------------------------------------------------------------
class Reader:
    """Reads the fields of one message body, little-endian."""

    def __init__(self, body, pos=0):
        self.b, self.pos = body, pos

    def _take(self, fmt):
        v = struct.unpack_from("<" + fmt, self.b, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return v[0]

    def u8(self): return self._take("B")
    def u16(self): return self._take("H")
    def u32(self): return self._take("I")
    def i32(self): return self._take("i")
    def u64(self): return self._take("Q")

    def raw(self, n):
        if n > len(self.b) - self.pos:
            raise struct.error("message too short")
        v = self.b[self.pos:self.pos + n]
        self.pos += n
        return v

    def str(self): return self.raw(self.u32()).decode("utf-8", "replace")

    def chain(self):
        """A buffer-list chain: a list of lists of fragment bytes."""
        return [[self.raw(self.u32()) for _ in range(self.u32())]
                for _ in range(self.u32())]


class Writer:
    """Builds one message body: the type byte, then fields."""

    def __init__(self, type_, *ret_of):
        self.b = bytearray([type_, *ret_of])

    def put(self, fmt, *v):
        self.b += struct.pack("<" + fmt, *v)
        return self

    def raw(self, data):
        self.b += data
        return self

    def str(self, s):
        s = (s or b"")[:4096]
        return self.put("I", len(s)).raw(s)

    def frags(self, frags):
        """nfrags x {u32 len, bytes[len]} from torc_fragment structures."""
        self.put("I", len(frags))
        for f in frags:
            n = f.len if f.data else 0
            self.put("I", n).raw(C.string_at(f.data, n) if n else b"")
        return self


# ---- The channel ------------------------------------------------------------
# The protocol gets private descriptors; what the .so prints goes to stderr.
_in = os.fdopen(os.dup(0), "rb", buffering=65536)
_out = os.dup(1)
os.dup2(2, 1)


def recv():
    head = _in.read(4)
    if len(head) < 4:
        os._exit(0)  # the host closed: nothing more to serve
    (n,) = struct.unpack("<I", head)
    if not 1 <= n <= 64 << 20:
        die("message length %u outside 1..64 MiB" % n)
    body = _in.read(n)
    if len(body) < n:
        os._exit(0)
    return body


def send(w):
    data = memoryview(struct.pack("<I", len(w.b)) + bytes(w.b))
    while data:
        data = data[os.write(_out, data):]


def call(w):
    """Sends a call and waits for its RET, serving every call the host makes
    meanwhile (calls nest like a call stack).  Returns a Reader after the
    RET's call-type byte."""
    send(w)
    while True:
        msg = recv()
        if msg[0] == RET:
            if msg[1] != w.b[0]:
                die("RET for 0x%02x while waiting for 0x%02x" % (msg[1], w.b[0]))
            return Reader(msg, 2)
        serve(msg)


# ---- torc/target.h in ctypes ------------------------------------------------
class Fragment(C.Structure):
    _fields_ = [("data", C.c_void_p), ("len", C.c_uint32)]


class BufferList(C.Structure):
    pass


BufferList._fields_ = [("next", C.POINTER(BufferList)),
                       ("frags", C.POINTER(Fragment)), ("nfrags", C.c_uint32)]
U8, U16, U32, U64, PTR = C.c_uint8, C.c_uint16, C.c_uint32, C.c_uint64, C.c_void_p


class OffloadState(C.Structure):
    _fields_ = [("struct_size", U32), ("rcv_nxt", U32), ("rcv_wnd", U32),
                ("snd_una", U32), ("snd_nxt", U32), ("snd_wnd", U32),
                ("buffered_data", C.POINTER(BufferList)),
                ("ticks_per_second", U32), ("push_ticks", U32),
                ("rcv_indication_size", U32), ("initial_rcv_wnd", U32),
                ("mss", U16), ("snd_wscale", U8), ("rcv_wscale", U8),
                ("conn_state", U8), ("ip_version", U8), ("local_port", U16),
                ("remote_port", U16), ("local_addr", U8 * 16),
                ("remote_addr", U8 * 16)]


class RecvRequest(C.Structure):
    _fields_ = [("id", U64), ("buf", PTR), ("size", U32), ("prefilled", U32),
                ("push", U8)]


class Completion(C.Structure):
    _fields_ = [("id", U64), ("status", U32), ("bytes", U32)]


class Segment(C.Structure):
    _fields_ = [("frame", PTR), ("frame_len", U32), ("link_type", U32),
                ("ip_offset", U32), ("tcp_offset", U32), ("seq", U32),
                ("ack", U32), ("window", U16), ("flags", U8), ("reserved", U8),
                ("payload", PTR), ("payload_len", U32)]


class UploadState(C.Structure):
    _fields_ = [("struct_size", U32), ("rcv_nxt", U32), ("rcv_wnd", U32),
                ("buffered_data", C.POINTER(BufferList)), ("buffered_id", U64)]


class Stats(C.Structure):
    _fields_ = [("struct_size", U32), ("segments_in", U64),
                ("dropped_out_of_window", U64), ("dropped_duplicate", U64),
                ("queued_out_of_order", U64), ("bytes_trimmed", U64)]


F = C.CFUNCTYPE
HOST_FNS = [
    ("alloc", F(PTR, PTR, C.c_size_t)),
    ("free", F(None, PTR, PTR)),
    ("log", F(None, PTR, C.c_int, C.c_char_p)),
    ("initiate_offload_complete", F(None, PTR, U64, U32)),
    ("receive_complete", F(None, PTR, U64, C.POINTER(Completion), U32)),
    ("receive_indicate", F(U32, PTR, U64, U64, U32, C.POINTER(Fragment), U32,
                           C.POINTER(U32))),
    ("event_indicate", F(None, PTR, U64, U32, U32)),
    ("terminate_offload_complete", F(None, PTR, U64, U32,
                                     C.POINTER(UploadState))),
]


class HostOps(C.Structure):
    _fields_ = [("struct_size", U32)] + HOST_FNS


class Target(C.Structure):
    _fields_ = [
        ("abi_version", U32), ("struct_size", U32), ("user_data", PTR),
        ("name", C.c_char_p), ("version", C.c_char_p), ("capabilities", U64),
        ("destroy", F(None, PTR)),
        ("conn_open", F(C.c_int, PTR, U64, C.POINTER(PTR))),
        ("conn_close", F(None, PTR, PTR)),
        ("initiate_offload", F(None, PTR, PTR, C.POINTER(OffloadState))),
        ("receive", F(U32, PTR, PTR, C.POINTER(RecvRequest), U32)),
        ("receive_return", F(None, PTR, PTR, C.POINTER(U64), U32)),
        ("segment", F(None, PTR, PTR, C.POINTER(Segment))),
        ("advance_time", F(None, PTR, U64)),
        ("terminate_offload", F(None, PTR, PTR)),
        ("get_stats", F(C.c_int, PTR, PTR, C.POINTER(Stats))),
        ("max_initial_rcv_wnd", U32), ("max_buffered_bytes", U32),
        ("driver", C.c_char_p), ("firmware", C.c_char_p)]


INIT = F(C.c_int, U32, C.POINTER(HostOps), PTR, C.POINTER(Target), C.c_char_p)
LIMITS_AT = Target.max_initial_rcv_wnd.offset  # a table shorter has no limits
IDENTITY_END = Target.firmware.offset + C.sizeof(C.c_char_p)

# ---- State of the bridge ----------------------------------------------------
blocks = {}   # address -> (ctypes buffer, token the host gave)
conns = {}    # our conn token -> {"conn", "handle", "keep": buffers alive}
requests = []  # posted, not completed: [id, handle, buffer, size, prefilled]
next_conn = [1]
target = Target()
init_fn = None


# ---- Host callbacks: each one an upcall -------------------------------------
def h_alloc(_ctx, size):
    token = call(Writer(UP_ALLOC).put("Q", size)).u64()
    if token == 0:
        return None  # the host refused (it fails allocations on purpose)
    buf = C.create_string_buffer(max(size, 1))
    blocks[C.addressof(buf)] = (buf, token)
    return C.addressof(buf)


def h_free(_ctx, ptr):
    if ptr:  # 0: a pointer the host never lent us (a double or forged free)
        send(Writer(UP_FREE).put("Q", blocks.pop(ptr, (None, 0))[1]))


def h_log(_ctx, level, msg):
    send(Writer(UP_LOG).put("I", level & 0xFFFFFFFF).str(msg))


def h_offload_complete(_ctx, handle, status):
    if status == SUCCESS:  # the host's BufferedData is poison now (RCV-011)
        for c in conns.values():
            if c["handle"] == handle:
                for b in c["keep"]:
                    C.memset(b, POISON, C.sizeof(b))
    call(Writer(UP_OFFLOAD_COMPLETE).put("QI", handle, status))


def take_request(rid, handle):
    """The first posted request with this id, preferring this handle."""
    same = [q for q in requests if q[0] == rid and q[1] == handle]
    any_ = [q for q in requests if q[0] == rid]
    q = (same or any_ or [None])[0]
    if q:
        requests.remove(q)
    return q


def h_receive_complete(_ctx, handle, comps, count):
    w = Writer(UP_RECEIVE_COMPLETE).put("QI", handle, count)
    for i in range(count):
        c = comps[i]
        w.put("QII", c.id, c.status, c.bytes)
        q = take_request(c.id, handle)
        if q is None:  # unknown or already completed: no bytes
            w.put("I", 0)
            continue
        _, _, buf, size, pre = q
        n = pre + min(c.bytes, size - pre)  # the front of the buffer
        w.put("I", n).raw(buf.raw[:n])
    call(w)


def h_receive_indicate(_ctx, handle, ind_id, status, frags, nfrags, consumed):
    w = Writer(UP_RECEIVE_INDICATE).put("QQI", handle, ind_id, status)
    r = call(w.frags([frags[i] for i in range(nfrags)]))
    answer, n = r.u32(), r.u32()
    if consumed:
        consumed[0] = n
    return answer


def h_event(_ctx, handle, event, info):
    call(Writer(UP_EVENT).put("QII", handle, event, info))


def h_terminate_complete(_ctx, handle, status, st):
    w = Writer(UP_TERMINATE_COMPLETE).put("QIB", handle, status, 1 if st else 0)
    if st:
        s = st.contents
        w.put("IIQ", s.rcv_nxt, s.rcv_wnd, s.buffered_id)
        lists, l = [], s.buffered_data
        while l:
            lists.append(l.contents)
            l = l.contents.next
        w.put("I", len(lists))
        for lst in lists:
            w.frags([lst.frags[i] for i in range(lst.nfrags if lst.frags else 0)])
    call(w)


HOST_IMPL = [h_alloc, h_free, h_log, h_offload_complete, h_receive_complete,
             h_receive_indicate, h_event, h_terminate_complete]
host = HostOps(C.sizeof(HostOps),
               *[fn(impl) for (_, fn), impl in zip(HOST_FNS, HOST_IMPL)])


# ---- Operations from the host: each one a call of the .so -------------------
def load():
    """A fresh target instance: returns "" or why it cannot load."""
    global target
    target, err = Target(), C.create_string_buffer(256)
    if init_fn(ABI, C.byref(host), None, C.byref(target), err) != 0:
        return err.value.decode("utf-8", "replace") or "torc_target_init failed"
    if not target.name or target.abi_version == 0:
        return "the target's table has no name or ABI version 0"
    return ""


def op_hello(r):
    magic, proto, host_abi = r.u32(), r.u16(), r.u32()
    if magic != MAGIC:
        die("HELLO magic 0x%08x, expected 0x%08x" % (magic, MAGIC))
    # The host offers the newest protocol it speaks; this target speaks 1
    # (every allocation asked of the host) and answers 1 to any host >= 1.
    why = "host speaks protocol %u, this target 1" % proto if proto < PROTOCOL \
        else "host ABI %u is older than 1" % host_abi if host_abi < ABI else load()
    if why:
        send(Writer(RET, HELLO).put("B", 0).str(why.encode()))
        die(why, 2)
    t = target
    has_limits = t.struct_size >= LIMITS_AT + 8
    w = Writer(RET, HELLO).put("BHIIQ", 1, PROTOCOL, t.abi_version,
                               t.struct_size, t.capabilities)
    w.str(t.name).str(t.version)
    w.put("II", t.max_initial_rcv_wnd if has_limits else 0,
          t.max_buffered_bytes if has_limits else 0)
    if t.struct_size >= IDENTITY_END:   # the device's identity, optional
        w.str(t.driver or b"").str(t.firmware or b"")
    send(w)


def drop_conn(token):
    c = conns.pop(token)
    requests[:] = [q for q in requests if q[1] != c["handle"]]


def op_reset(_r):
    for token in list(conns):
        drop_conn(token)
    target.destroy(target.user_data)
    why = load()
    send(Writer(RET, OP_RESET).put("i", -1 if why else 0).str(why.encode()))
    if why:
        die(why)


def op_conn_open(r):
    handle, out = r.u64(), PTR()
    rc = target.conn_open(target.user_data, handle, C.byref(out))
    token = 0
    if rc == 0:
        token, next_conn[0] = next_conn[0], next_conn[0] + 1
        conns[token] = {"conn": out.value, "handle": handle, "keep": []}
    send(Writer(RET, OP_CONN_OPEN).put("iQ", rc, token))


def op_initiate_offload(c, r):
    st = OffloadState(C.sizeof(OffloadState))
    for f in ("rcv_nxt", "rcv_wnd", "snd_una", "snd_nxt", "snd_wnd",
              "ticks_per_second", "push_ticks", "rcv_indication_size",
              "initial_rcv_wnd"):
        setattr(st, f, r.u32())
    st.mss, st.snd_wscale, st.rcv_wscale = r.u16(), r.u8(), r.u8()
    st.conn_state, st.ip_version = r.u8(), r.u8()
    st.local_port, st.remote_port = r.u16(), r.u16()
    st.local_addr[:] = r.raw(16)
    st.remote_addr[:] = r.raw(16)
    # Our own copy of BufferedData, alive until the connection closes.
    c["keep"] = keep = []
    chain = r.chain()
    lists = (BufferList * max(1, len(chain)))()
    for i, frags in enumerate(chain):
        arr = (Fragment * max(1, len(frags)))()
        for j, data in enumerate(frags):
            buf = C.create_string_buffer(data, max(1, len(data)))
            keep.append(buf)
            arr[j] = Fragment(C.addressof(buf), len(data))
        lists[i].frags, lists[i].nfrags = arr, len(frags)
        if i + 1 < len(chain):
            lists[i].next = C.pointer(lists[i + 1])
        keep.append(arr)
    keep.append(lists)
    st.buffered_data = C.pointer(lists[0]) if chain else None
    c["state"] = st
    target.initiate_offload(target.user_data, c["conn"], C.byref(st))
    send(Writer(RET, OP_INITIATE_OFFLOAD))


def op_receive(c, r):
    count = r.u32()
    reqs = (RecvRequest * max(1, count))()
    for i in range(count):
        rid, size, pre, push = r.u64(), r.u32(), r.u32(), r.u8()
        buf = C.create_string_buffer(max(size, 1))  # the target's own copy
        buf[:pre] = r.raw(pre)
        requests.append([rid, c["handle"], buf, size, pre])
        reqs[i] = RecvRequest(rid, C.addressof(buf), size, pre, push)
    status = target.receive(target.user_data, c["conn"], reqs, count)
    send(Writer(RET, OP_RECEIVE).put("I", status))


def op_receive_return(c, r):
    count = r.u32()
    ids = (U64 * max(1, count))(*[r.u64() for _ in range(count)])
    target.receive_return(target.user_data, c["conn"], ids, count)
    send(Writer(RET, OP_RECEIVE_RETURN))


def op_segment(c, r):
    seg = Segment()
    (seg.link_type, seg.ip_offset, seg.tcp_offset, seg.seq, seg.ack,
     seg.window, seg.flags, seg.reserved) = struct.unpack("<5IHBB", r.raw(24))
    has_frame, frame_len = r.u8(), r.u32()
    frame = C.create_string_buffer(r.raw(frame_len), max(1, frame_len))
    seg.frame, seg.frame_len = (C.addressof(frame) if has_frame else None), frame_len
    kind, own = r.u8(), None
    if kind == 0:  # no payload pointer
        seg.payload_len = r.u32()
    elif kind == 1:  # inside the frame
        off, seg.payload_len = r.u32(), r.u32()
        seg.payload = C.addressof(frame) + off
    else:  # elsewhere
        seg.payload_len = r.u32()
        own = C.create_string_buffer(r.raw(seg.payload_len), max(1, seg.payload_len))
        seg.payload = C.addressof(own)
    target.segment(target.user_data, c["conn"], C.byref(seg))
    C.memset(frame, POISON, C.sizeof(frame))  # borrowed for the call only
    send(Writer(RET, OP_SEGMENT))


def op_get_stats(c, _r):
    s = Stats(C.sizeof(Stats))
    rc = target.get_stats(target.user_data, c["conn"], C.byref(s)) \
        if target.get_stats else -1
    send(Writer(RET, OP_GET_STATS).put("i5Q", rc, s.segments_in,
                                       s.dropped_out_of_window,
                                       s.dropped_duplicate,
                                       s.queued_out_of_order, s.bytes_trimmed))


def op_simple(type_, fn):
    """An operation on a connection whose RET has no fields."""
    def op(c, _r):
        fn(target.user_data, c["conn"])
        send(Writer(RET, type_))
    return op


CONN_OPS = {
    OP_INITIATE_OFFLOAD: op_initiate_offload,
    OP_RECEIVE: op_receive,
    OP_RECEIVE_RETURN: op_receive_return,
    OP_SEGMENT: op_segment,
    OP_GET_STATS: op_get_stats,
    OP_TERMINATE_OFFLOAD: lambda c, r: op_simple(
        OP_TERMINATE_OFFLOAD, target.terminate_offload)(c, r),
}


def dispatch(msg):
    r = Reader(msg, 1)
    op = msg[0]
    if op == HELLO:
        return op_hello(r)
    if op == OP_RESET:
        return op_reset(r)
    if op == OP_DESTROY:
        target.destroy(target.user_data)
        send(Writer(RET, OP_DESTROY))
        os._exit(0)
    if op == OP_CONN_OPEN:
        return op_conn_open(r)
    if op == OP_ADVANCE_TIME:
        target.advance_time(target.user_data, r.u64())
        return send(Writer(RET, OP_ADVANCE_TIME))
    if op not in CONN_OPS and op != OP_CONN_CLOSE:
        die("unexpected message type 0x%02x" % op)
    token = r.u64()
    if token not in conns:
        die("%#x: unknown connection %u" % (op, token))
    c = conns[token]
    if op == OP_CONN_CLOSE:
        target.conn_close(target.user_data, c["conn"])
        drop_conn(token)
        return send(Writer(RET, OP_CONN_CLOSE))
    CONN_OPS[op](c, r)


def serve(msg):
    """Dispatches one call of the host; a message shorter than its fields
    ends the program (a ctypes callback cannot raise to the .so)."""
    try:
        dispatch(msg)
    except struct.error as e:
        die("malformed message of type 0x%02x: %s" % (msg[0], e))


def main(argv):
    global init_fn
    so = argv[argv.index("--so") + 1] if "--so" in argv else "build/lib/torc-reference.so"
    try:
        init_fn = INIT(("torc_target_init", C.CDLL(os.path.abspath(so))))
    except (OSError, AttributeError) as e:
        init_fn = None
        why = "%s: cannot load: %s" % (so, e)
    while True:
        msg = recv()
        if msg[0] == HELLO and init_fn is None:
            send(Writer(RET, HELLO).put("B", 0).str(why.encode()))
            die(why, 2)
        serve(msg)


if __name__ == "__main__":
    main(sys.argv[1:])
