#!/usr/bin/python3
"""A misbehaving out-of-process target speaking docs/wire-protocol.md on
stdin/stdout, for test_loading.py: proves the proxy survives a child that
lies.  Usage: fake_wire_target.py MODE, where MODE is one of

  ok         a well-behaved do-nothing target (control case)
  garbage    answers the first operation after HELLO with random bytes
  huge       announces a message of 0xFFFFFFFF bytes
  wrongret   answers CONN_OPEN with a RET for another call
  silent     never answers anything after HELLO
  badfree    frees an allocation token the host never gave
  overclaim  completes each request claiming and sending 100 bytes more
             than its size (the proxy must copy at most size bytes and pass
             the claim on unchanged)
  newabi     declares target ABI 99 in its HELLO answer
  shortret   completes offloads at once, then answers OP_RECEIVE with a
             RET that has no status field
  shortreset completes offloads at once, then answers OP_RESET with a RET
             that has no fields
  unknownup  makes an upcall of unknown type 0x3f inside CONN_OPEN
  opup       sends an operation (OP_RECEIVE) inside CONN_OPEN, as if it
             were the host
  shorthello answers HELLO with a RET cut in the middle of the name
  hellotail  answers HELLO with the limits, the identity and 6 bytes more
             (an optional tail field of a later version: ignored)
  identity   ok, with RET(HELLO)'s optional tails: no limits (0, 0), then
             driver "fakedrv 1.2" and firmware "fw 7.0.1"
  badtail    ok, but RET(HELLO) ends with the limits and 3 stray bytes
  v1allocated  answers HELLO with protocol 1, then reports an allocation
             with UP_ALLOCATED (version 2's) inside CONN_OPEN
  v2asked    answers HELLO with protocol 2 and reports an allocation with
             UP_ALLOCATED inside CONN_OPEN, although no OP_ALLOC_POLICY
             came (the policy is still ASK)
  v2dup      answers HELLO with protocol 2 and, inside CONN_OPEN, reports
             two allocations under the same token 5
"""
import os
import struct
import sys

HELLO, RET = 0x01, 0x40
OP_DESTROY, OP_CONN_OPEN, OP_RECEIVE, OP_GET_STATS = 0x10, 0x11, 0x14, 0x19
OP_INITIATE_OFFLOAD = 0x13
OP_RESET, OP_ALLOC_POLICY = 0x1A, 0x1B
UP_FREE, UP_OFFLOAD_COMPLETE, UP_RECEIVE_COMPLETE = 0x31, 0x33, 0x34
HANDLE = [0]  # the host_handle of the last OP_CONN_OPEN

inp = os.fdopen(0, "rb", buffering=0)
out = os.fdopen(1, "wb", buffering=0)


def read_exact(n):
    b = b""
    while len(b) < n:
        c = inp.read(n - len(b))
        if not c:
            sys.exit(0)
        b += c
    return b


def recv():
    (n,) = struct.unpack("<I", read_exact(4))
    return read_exact(n)


def send(body):
    out.write(struct.pack("<I", len(body)) + body)


def ret(call, payload=b""):
    send(bytes([RET, call]) + payload)


def hello_answer(abi=1, mode="ok"):
    s = lambda t: struct.pack("<I", len(t)) + t
    proto = 2 if mode.startswith("v2") else 1
    body = struct.pack("<BHIIQ", 1, proto, abi, 120, 0x3FFF) + s(b"fake") + \
        s(b"0")
    if mode == "shorthello":
        body = body[:-7]  # inside the 4-byte name "fake"
    if mode == "hellotail":
        body += (struct.pack("<II", 0, 0) + s(b"") + s(b"") +
                 b"\x02\x00tail")
    if mode == "identity":
        body += (struct.pack("<II", 0, 0) + s(b"fakedrv 1.2") +
                 s(b"fw 7.0.1"))
    if mode == "badtail":
        body += struct.pack("<II", 0, 0) + b"xyz"
    ret(HELLO, body)


def generic(op):
    if op == OP_CONN_OPEN:
        ret(op, struct.pack("<IQ", 0, 1))
    elif op == OP_RECEIVE:
        ret(op, struct.pack("<I", 0x103))
    elif op == OP_GET_STATS:
        ret(op, struct.pack("<I", 0) + bytes(40))
    elif op == OP_RESET:
        ret(op, struct.pack("<II", 0, 0))
    else:
        ret(op)
    if op == OP_DESTROY:
        sys.exit(0)


def wait_ret(mode):
    """Waits for the RET of our upcall, serving the calls nested in it."""
    while True:
        msg = recv()
        if msg[0] == RET:
            return msg
        handle(mode, msg)


def handle(mode, msg):
    op = msg[0]
    if mode == "silent" or op == OP_ALLOC_POLICY:  # the policy has no RET
        return
    if mode == "garbage":
        out.write(os.urandom(64))
        return
    if mode == "huge":
        out.write(b"\xff\xff\xff\xff")
        return
    if mode == "wrongret" and op == OP_CONN_OPEN:
        ret(OP_RECEIVE, struct.pack("<I", 0))
        return
    if op == OP_CONN_OPEN:
        HANDLE[0] = struct.unpack_from("<Q", msg, 1)[0]
    if mode in ("shortret", "shortreset") and op == OP_INITIATE_OFFLOAD:
        # completes the offload inside the call (DEC-22), so the engine
        # goes on to post
        send(bytes([UP_OFFLOAD_COMPLETE]) + struct.pack("<QI", HANDLE[0], 0))
        assert wait_ret(mode)[1] == UP_OFFLOAD_COMPLETE
    if mode == "shortreset" and op == OP_RESET:
        ret(op)  # 2 bytes: no i32 rc, no str message
        return
    if mode == "shortret" and op == OP_RECEIVE:
        ret(op)  # 2 bytes: no u32 status
        return
    if mode in ("v1allocated", "v2asked", "v2dup") and op == OP_CONN_OPEN:
        # UP_ALLOCATED (0x39): u64 size, u64 token; no RET
        for _ in range(2 if mode == "v2dup" else 1):
            send(bytes([0x39]) + struct.pack("<QQ", 16, 5))
    if mode == "unknownup" and op == OP_CONN_OPEN:
        send(bytes([0x3F]) + struct.pack("<Q", 1))
        return
    if mode == "opup" and op == OP_CONN_OPEN:
        send(bytes([OP_RECEIVE]) + struct.pack("<QI", 1, 0))
        return
    if mode == "badfree" and op == OP_CONN_OPEN:
        send(bytes([UP_FREE]) + struct.pack("<Q", 99))
        return
    if mode == "overclaim" and op == OP_RECEIVE:
        (count,) = struct.unpack_from("<I", msg, 9)
        pos, items = 13, []
        for _ in range(count):
            rid, size, pre, _push = struct.unpack_from("<QIIB", msg, pos)
            pos += 17 + pre
            items.append((rid, size))
        body = bytes([UP_RECEIVE_COMPLETE]) + struct.pack("<QI", 0x1001, len(items))
        for rid, size in items:
            body += struct.pack("<QIII", rid, 0, size + 100, size + 100)
            body += b"\x41" * (size + 100)
        send(body)
        reply = wait_ret(mode)
        assert reply[1] == UP_RECEIVE_COMPLETE
    generic(op)


def main(mode):
    msg = recv()
    assert msg[0] == HELLO
    hello_answer(99 if mode == "newabi" else 1, mode)
    while True:
        handle(mode, recv())


if __name__ == "__main__":
    main(sys.argv[1])
