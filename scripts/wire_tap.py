#!/usr/bin/python3
"""wire_tap.py - logs every message of the torc wire protocol that crosses
between torc and an out-of-process target, unchanged.

Where it sits: between torc and any `exec:` target, for debugging a target
and for the example session of docs/wire-protocol.md (which
harness/tests/test_wire_doc.py checks against a fresh tap):

    torc run --target 'exec:/usr/bin/python3 scripts/wire_tap.py LOG -- \
        build/bin/torc-target-runner --target reference' ...

It starts COMMAND on a socketpair (its stdin and stdout, as torc does),
relays bytes both ways as they come, and writes to LOG one line per
complete message: `H` (host to target) or `T` (target to host), then the
message's bytes (length prefix included) in hex.  stdlib only.
"""
import os
import select
import socket
import subprocess
import sys


def main(argv):
    if len(argv) < 3 or argv[1] != "--":
        sys.exit("usage: wire_tap.py LOG -- COMMAND [ARG]...")
    log = open(argv[0], "w")
    ours, theirs = socket.socketpair()
    child = subprocess.Popen(argv[2:], stdin=theirs, stdout=theirs)
    theirs.close()
    host_in, host_out = 0, 1
    pending = {"H": b"", "T": b""}
    ends = {host_in: ("H", ours.fileno()), ours.fileno(): ("T", host_out)}
    while ends:
        for fd in select.select(list(ends), [], [])[0]:
            side, to = ends[fd]
            data = os.read(fd, 65536)
            if not data:  # one side closed: close the other's way in
                del ends[fd]
                if to == ours.fileno():
                    ours.shutdown(socket.SHUT_WR)
                else:
                    os.close(to)
                continue
            view = memoryview(data)
            while view:
                view = view[os.write(to, view):]
            buf = pending[side] + data
            while len(buf) >= 4:
                n = int.from_bytes(buf[:4], "little") + 4
                if len(buf) < n:
                    break
                log.write("%s %s\n" % (side, buf[:n].hex()))
                buf = buf[n:]
            pending[side] = buf
            log.flush()
    sys.exit(child.wait())


if __name__ == "__main__":
    main(sys.argv[1:])
