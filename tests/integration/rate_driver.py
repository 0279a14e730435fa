#!/usr/bin/env python3
"""Offers N chat requests evenly over S seconds, round-robin over several gateways, and prints
one line per answer: "<unix seconds at send> <unix seconds at answer> <status> <retry-after|->".

usage: rate_driver.py KEY N SECONDS BODY URL [URL...]"""
import http.client
import sys
import threading
import time
from urllib.parse import urlparse

key, n, seconds, body = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
urls = [urlparse(u) for u in sys.argv[5:]]
lines, lock = [], threading.Lock()
local = threading.local()


def send(i):
    u = urls[i % len(urls)]
    conns = getattr(local, "conns", None)
    if conns is None:
        conns = local.conns = {}
    t0 = time.time()
    for attempt in range(2):  # a kept-alive connection the server closed: one fresh try
        try:
            c = conns.get(u.netloc) or http.client.HTTPConnection(u.hostname, u.port, timeout=30)
            conns[u.netloc] = c
            c.request("POST", "/v1/chat/completions", body, {"Content-Type": "application/json", "X-Consumer-Group": key})
            r = c.getresponse()
            r.read()
            status, retry = r.status, r.getheader("Retry-After") or "-"
            break
        except (http.client.HTTPException, OSError):
            conns.pop(u.netloc, None)
            status, retry = 0, "-"
    with lock:
        lines.append(f"{t0:.3f} {time.time():.3f} {status} {retry}")


def worker(ids):
    for i in ids:
        delay = start + i * seconds / n - time.time()
        if delay > 0:
            time.sleep(delay)
        send(i)


threads_n = 32
start = time.time()
threads = [threading.Thread(target=worker, args=(range(t, n, threads_n),)) for t in range(threads_n)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("\n".join(lines))
