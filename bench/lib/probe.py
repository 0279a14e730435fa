#!/usr/bin/env python3
"""Measurements bench/run.sh makes besides the harness (stdlib only).

  probe.py idle-rss HOST:PORT N BODY_FILE HEADER PID...
      Opens N keep-alive connections, sends one chat completion on each (the full pipeline
      runs and the connection is then idle, as a client pool keeps it), reads VmRSS/VmHWM of
      each PID before and after, closes. Prints JSON.
  probe.py chunks URL BODY_JSON HEADER...
      One streaming request; prints JSON with the arrival time (ms after sending) of every
      SSE event, to compare a gateway with the upstream reached directly.
  probe.py stats FILE
      Median, p90, p99, min of the numbers in FILE (one per line, seconds) in microseconds.
"""
import json
import socket
import sys
import time
from urllib.parse import urlsplit


def vm(pid):
    out = {}
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out


def read_response(sock, buf=b""):
    """Reads one HTTP/1.1 response with Content-Length or chunked body; returns (status, rest)."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before headers")
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
    if "content-length" in headers:
        n = int(headers["content-length"])
        while len(rest) < n:
            rest += sock.recv(65536)
        return status, rest[n:]
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while not rest.endswith(b"0\r\n\r\n"):
            rest += sock.recv(65536)
        return status, b""
    return status, rest


def idle_rss(hostport, n, body_file, header, pids):
    host, port = hostport.rsplit(":", 1)
    body = open(body_file, "rb").read()
    req = (b"POST /v1/chat/completions HTTP/1.1\r\nHost: " + hostport.encode() +
           b"\r\nContent-Type: application/json\r\n" + header.encode() + b"\r\nContent-Length: " +
           str(len(body)).encode() + b"\r\n\r\n" + body)
    before = {p: vm(p) for p in pids}
    socks, statuses = [], {}
    t0 = time.monotonic()
    for _ in range(n):
        s = socket.create_connection((host, int(port)))
        s.sendall(req)
        status, _ = read_response(s)
        statuses[status] = statuses.get(status, 0) + 1
        socks.append(s)
    time.sleep(2.0)  # let the gateway settle its ledger ops and ship its events
    after = {p: vm(p) for p in pids}
    open_now = sum(1 for s in socks if s.fileno() >= 0)
    elapsed = time.monotonic() - t0
    for s in socks:
        s.close()
    print(json.dumps({"connections": n, "open": open_now, "statuses": statuses, "seconds": round(elapsed, 2),
                      "before_kb": before, "after_kb": after}))


def chunks(url, body, headers):
    u = urlsplit(url)
    s = socket.create_connection((u.hostname, u.port))
    hdrs = "".join(h + "\r\n" for h in headers)
    raw = ("POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n" %
           (u.path, u.hostname, u.port, hdrs, len(body.encode()))).encode() + body.encode()
    t0 = time.monotonic()
    s.sendall(raw)
    buf, times, first_byte = b"", [], None
    while True:
        data = s.recv(65536)
        now = (time.monotonic() - t0) * 1000
        if not data:
            break
        if first_byte is None:
            first_byte = now
        n_before = buf.count(b"data:")
        buf += data
        times += [round(now, 2)] * (buf.count(b"data:") - n_before)
        if b"[DONE]" in buf:
            break
    s.close()
    print(json.dumps({"first_byte_ms": round(first_byte or 0, 2), "event_ms": times}))


def stats(path):
    xs = sorted(float(l) * 1e6 for l in open(path) if l.strip())
    pick = lambda q: xs[min(len(xs) - 1, int(q * len(xs)))]
    print(json.dumps({"n": len(xs), "min_us": round(xs[0]), "p50_us": round(pick(0.5)), "p90_us": round(pick(0.9)),
                      "p99_us": round(pick(0.99))}))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "idle-rss":
        idle_rss(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6:])
    elif cmd == "chunks":
        chunks(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif cmd == "stats":
        stats(sys.argv[2])
    else:
        sys.exit(__doc__)
