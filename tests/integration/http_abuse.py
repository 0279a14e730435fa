"""Raw-socket cases for bad_input_http_test.sh: what curl cannot send (broken framing, binary
garbage, slow senders, connection floods). Each case sends bytes to `kt gateway run` or `kt api
serve` and checks the answer: a 4xx JSON error envelope and then a closed connection, or a
connection closed without an answer (timeouts). Prints "ok: ..." / "FAIL: ..." per case and a
last line "summary cases=N failed=F gateway_401=K" (K: the 401s it made the gateway count).

Environment: GW_PORT, API_PORT, GW_KEY (a valid consumer key), API_TOKEN, ANSWERS (a file every
received byte is appended to), HEADER_TIMEOUT, BODY_TIMEOUT, IDLE_TIMEOUT (seconds, as given to
both servers), GW_MAX_CONN, API_MAX_CONN, GW_BODY_LIMIT, API_BODY_LIMIT.
"""
import json
import os
import select
import socket
import sys
import threading
import time

ENV = os.environ
PORTS = {"gw": int(ENV["GW_PORT"]), "api": int(ENV["API_PORT"])}
KEY, TOKEN = ENV["GW_KEY"], ENV["API_TOKEN"]
HEADER_TIMEOUT = float(ENV["HEADER_TIMEOUT"])
BODY_TIMEOUT = float(ENV["BODY_TIMEOUT"])
IDLE_TIMEOUT = float(ENV["IDLE_TIMEOUT"])
BODY_LIMIT = {"gw": int(ENV["GW_BODY_LIMIT"]), "api": int(ENV["API_BODY_LIMIT"])}
MAX_CONN = {"gw": int(ENV["GW_MAX_CONN"]), "api": int(ENV["API_MAX_CONN"])}
SLACK = 1.5  # seconds allowed past a timeout (scheduling on a busy CI machine)
AUTH = {"gw": b"X-Consumer-Group: " + KEY.encode() + b"\r\n", "api": b"Authorization: Bearer " + TOKEN.encode() + b"\r\n"}

lock = threading.Lock()
results = {"cases": 0, "failed": 0, "gateway_401": 0}


def report(ok, name, detail=""):
    with lock:
        results["cases"] += 1
        if not ok:
            results["failed"] += 1
        print(("ok: " if ok else "FAIL: ") + name + ("" if ok else ": " + detail), flush=True)


def keep(data):
    with open(ENV["ANSWERS"], "ab") as f:
        f.write(data + b"\n")


def parse_responses(data):
    """The responses in `data` as (status, headers dict, body) tuples; 1xx answers included."""
    out = []
    while data.startswith(b"HTTP/1."):
        end = data.find(b"\r\n\r\n")
        if end < 0:
            break
        lines = data[:end].decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        body = data[end + 4:end + 4 + length]
        out.append((status, headers, body))
        data = data[end + 4 + length:]
    return out


def exchange(port, pieces, read_for):
    """Sends each (pause, bytes) piece, then reads until the server closes (or read_for seconds).
    Returns (received bytes, closed?, seconds from the first byte sent to the close)."""
    s = socket.create_connection(("127.0.0.1", port))
    start = time.monotonic()
    got, closed = b"", False
    try:
        for pause, piece in pieces:
            if pause:
                time.sleep(pause)
            s.sendall(piece)
    except (BrokenPipeError, ConnectionResetError):
        closed = True
    deadline = time.monotonic() + read_for
    while not closed and time.monotonic() < deadline:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            closed = True
            break
        if not chunk:
            closed = True
            break
        got += chunk
    elapsed = time.monotonic() - start
    s.close()
    keep(got)
    return got, closed, elapsed


def is_envelope(body):
    try:
        e = json.loads(body)["error"]
        return all(isinstance(e.get(k), str) and e[k] for k in ("message", "type", "code"))
    except (ValueError, KeyError, TypeError):
        return False


def expect_answers(name, target, data, statuses, read_for=5.0, pieces=None):
    """The answers' statuses are `statuses` (the last one a 4xx with the envelope and
    Connection: close), then the connection is closed."""
    got, closed, _ = exchange(PORTS[target], pieces or [(0, data)], read_for)
    answers = [r for r in parse_responses(got) if r[0] >= 200]
    seen = [r[0] for r in answers]
    if seen != statuses:
        return report(False, name, f"statuses {seen}, expected {statuses}: {got[:300]!r}")
    last = answers[-1]
    if last[0] >= 400 and not is_envelope(last[2]):
        return report(False, name, f"no error envelope: {last[2][:200]!r}")
    if last[0] >= 400 and last[1].get("connection", "").lower() != "close":
        return report(False, name, "the refusal does not say Connection: close")
    if last[0] >= 400 and not closed:
        return report(False, name, "the connection stayed open after the refusal")
    report(True, name)


def expect_closed(name, target, pieces, within):
    """No answer, and the connection closed no later than `within` seconds (+ slack)."""
    got, closed, elapsed = exchange(PORTS[target], pieces, within + SLACK + 2)
    if got:
        return report(False, name, f"answered {got[:200]!r}")
    if not closed or elapsed > within + SLACK:
        return report(False, name, f"closed={closed} after {elapsed:.2f}s (limit {within}+{SLACK}s)")
    report(True, name)


def req(method, target, headers=b"", body=b"", host=b"Host: kt\r\n"):
    return method + b" " + target + b" HTTP/1.1\r\n" + host + headers + b"\r\n" + body


def framing_cases(t):
    """Broken heads and framing: each refused with 400 or 431 before any handler runs."""
    h = b"/health"
    many = b"".join(b"X-H-%d: v\r\n" % i for i in range(101))
    cases = [
        ("101 header fields", req(b"GET", h, many), 431),
        ("a 17 KiB header", req(b"GET", h, b"X-Big: " + b"a" * 17 * 1024 + b"\r\n"), 431),
        ("a 20 KiB request line", req(b"GET", b"/" + b"a" * 20 * 1024), 431),
        ("two equal Content-Length", req(b"POST", h, b"Content-Length: 2\r\nContent-Length: 2\r\n", b"{}"), 400),
        ("two different Content-Length", req(b"POST", h, b"Content-Length: 2\r\nContent-Length: 3\r\n", b"{}"), 400),
        ("Content-Length list", req(b"POST", h, b"Content-Length: 2, 2\r\n", b"{}"), 400),
        ("Content-Length with Transfer-Encoding",
         req(b"POST", h, b"Content-Length: 6\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\nG"), 400),
        ("Transfer-Encoding with Content-Length",
         req(b"POST", h, b"Transfer-Encoding: chunked\r\nContent-Length: 6\r\n", b"0\r\n\r\nG"), 400),
        ("negative Content-Length", req(b"POST", h, b"Content-Length: -5\r\n", b"{}"), 400),
        ("non-numeric Content-Length", req(b"POST", h, b"Content-Length: ten\r\n", b"{}"), 400),
        ("Content-Length past 64 bits", req(b"POST", h, b"Content-Length: 99999999999999999999\r\n"), 400),
        ("obs-fold with a space", req(b"GET", h, b"X-A: 1\r\n folded\r\n"), 400),
        ("obs-fold with a tab", req(b"GET", h, b"X-A: 1\r\n\tfolded\r\n"), 400),
        ("bare CR in a header", req(b"GET", h, b"X-A: 1\rX-B: 2\r\n"), 400),
        ("bare LF line endings", b"GET /health HTTP/1.1\nHost: kt\n\n", 400),
        ("space in a header name", req(b"GET", h, b"X Forwarded-For: 1\r\n"), 400),
        ("space before the colon", req(b"GET", h, b"Content-Length : 0\r\n"), 400),
        ("Transfer-Encoding gzip", req(b"POST", h, b"Transfer-Encoding: gzip\r\n"), 400),
        ("Transfer-Encoding chunked, gzip", req(b"POST", h, b"Transfer-Encoding: chunked, gzip\r\n"), 400),
        ("HTTP/1.1 without Host", req(b"GET", h, host=b""), 400),
        ("two Host headers", req(b"GET", h, host=b"Host: a\r\nHost: b\r\n"), 400),
        ("NUL in a header value", req(b"GET", h, b"X-A: a\x00b\r\n"), 400),
        ("raw UTF-8 in the target", req(b"GET", "/h\u00e9alth".encode()), 400),
        ("HTTP/0.9 request", b"GET /health\r\n\r\n", 400),
        ("HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400),
        ("HTTP/3.0 version", b"GET /health HTTP/3.0\r\nHost: kt\r\n\r\n", 400),
        ("TLS ClientHello", bytes.fromhex("16030100a5010000a10303") + os.urandom(160), 400),
        ("binary garbage", b"\x00\xff\x13\x37" * 64, 400),
        ("malformed chunk size", req(b"POST", h, b"Transfer-Encoding: chunked\r\n", b"zz\r\nabc\r\n0\r\n\r\n"), 400),
    ]
    for name, data, status in cases:
        expect_answers(f"{t}: {name} -> {status}", t, data, [status])
    good = req(b"GET", h)
    expect_answers(f"{t}: garbage pipelined after a good request -> 200 then 400", t, good + b"\x16\x03\x01junk\r\n\r\n", [200, 400])
    expect_answers(f"{t}: two good requests then garbage -> 200, 200, 400", t, good + good + b"GARBAGE\x00\r\n\r\n", [200, 200, 400])


def body_limit_cases(t):
    limit = BODY_LIMIT[t]
    path = b"/v1/chat/completions" if t == "gw" else b"/v1/events/batch"
    # Only the head is sent: a 413 cannot have waited for the body.
    expect_answers(f"{t}: Content-Length {limit + 1} (limit + 1) refused from the head -> 413", t,
                   req(b"POST", path, AUTH[t] + b"Content-Length: %d\r\n" % (limit + 1)), [413])
    expect_answers(f"{t}: Content-Length 2^63 -> 413", t,
                   req(b"POST", path, AUTH[t] + b"Content-Length: 9223372036854775808\r\n"), [413])
    chunk = b"%x\r\n" % 65536 + b"a" * 65536 + b"\r\n"
    pieces = [(0, req(b"POST", path, AUTH[t] + b"Transfer-Encoding: chunked\r\n"))]
    pieces += [(0, chunk)] * (limit // 65536 + 2)
    expect_answers(f"{t}: chunked body past {limit} bytes -> 413", t, None, [413], pieces=pieces)


def head_hook_cases(t):
    """Refusals decided from the head: the body is announced but never sent, so an answer proves
    the body was not waited for."""
    pending = b"Content-Length: 100000\r\n"
    close = b"Connection: close\r\n"  # no body pending: the connection would otherwise be kept
    if t == "gw":
        chat = b"/v1/chat/completions"
        cases = [("no consumer key", req(b"POST", chat, pending), 401, True),
                 ("unknown consumer key", req(b"POST", chat, b"X-Consumer-Group: kt_cg_nobody_000000\r\n" + pending), 401, True),
                 ("a real key's prefix", req(b"POST", chat, b"X-Consumer-Group: " + KEY[:-1].encode() + b"\r\n" + pending), 401, True),
                 ("Expect: 100-continue without a key",
                  req(b"POST", chat, b"Expect: 100-continue\r\n" + pending), 401, True),
                 ("unknown route", req(b"POST", b"/v1/unknown", AUTH[t] + pending), 404, False),
                 ("wrong method", req(b"PUT", chat, AUTH[t] + pending), 405, False),
                 ("TRACE", req(b"TRACE", chat, AUTH[t] + close), 405, False),
                 ("lower-case method", req(b"get", b"/v1/models", AUTH[t] + close), 405, False),
                 ("CONNECT", b"CONNECT kt:443 HTTP/1.1\r\nHost: kt:443\r\n" + close + b"\r\n", 404, False),
                 ("absolute-form target", req(b"POST", b"http://kt/v1/chat/completions", AUTH[t] + pending), 404, False)]
    else:
        wallets = b"/v1/wallets/allocate"
        cases = [("no admin token", req(b"POST", wallets, pending), 401, False),
                 ("wrong admin token", req(b"POST", wallets, b"Authorization: Bearer wrong\r\n" + pending), 401, False),
                 ("the token's prefix", req(b"POST", wallets, b"Authorization: Bearer " + TOKEN[:-1].encode() + b"\r\n" + pending), 401, False),
                 ("unknown route", req(b"POST", b"/v1/unknown", AUTH[t] + pending), 404, False),
                 ("wrong method", req(b"PUT", wallets, AUTH[t] + pending), 405, False),
                 ("TRACE", req(b"TRACE", wallets, AUTH[t] + close), 405, False),
                 ("CONNECT", b"CONNECT kt:443 HTTP/1.1\r\nHost: kt:443\r\n" + AUTH[t] + close + b"\r\n", 404, False),
                 ("absolute-form target", req(b"POST", b"http://kt/v1/wallets/allocate", AUTH[t] + pending), 404, False)]
    for name, data, status, counted in cases:
        expect_answers(f"{t}: {name}, body not sent -> {status}", t, data, [status], read_for=HEADER_TIMEOUT + BODY_TIMEOUT)
        if counted:
            with lock:
                results["gateway_401"] += 1


def slow_cases(t):
    """Slowloris and idle connections: closed within their timeout, without an answer."""
    trickle = [(0, b"GET /health HTTP/1.1\r\nHost: kt\r\n")] + [(0.25, b"X-Slow: 1\r\n")] * 40
    body = [(0, req(b"POST", b"/health", b"Content-Length: 100\r\n"))] + [(0.25, b"a")] * 40
    threads = [
        threading.Thread(target=expect_closed, args=(f"{t}: slowloris head, one line every 250 ms", t, trickle, HEADER_TIMEOUT)),
        threading.Thread(target=expect_closed, args=(f"{t}: slowloris body, one byte every 250 ms", t, body, BODY_TIMEOUT)),
        threading.Thread(target=expect_closed, args=(f"{t}: a connection that says nothing", t, [], HEADER_TIMEOUT)),
        threading.Thread(target=idle_case, args=(t,)),
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()


def idle_case(t):
    got, closed, elapsed = exchange(PORTS[t], [(0, req(b"GET", b"/health"))], IDLE_TIMEOUT + SLACK + 2)
    answers = [r[0] for r in parse_responses(got)]
    ok = answers == [200] and closed and elapsed <= IDLE_TIMEOUT + SLACK
    report(ok, f"{t}: a kept-alive connection left idle is closed", f"answers {answers} closed={closed} after {elapsed:.2f}s")


def flood_case(t):
    """Past the connection cap, new connections get a 503 envelope (or are closed) at once; the
    ones accepted are closed by the header timeout; afterwards the server serves again."""
    cap, extra = MAX_CONN[t], 20
    socks = [socket.create_connection(("127.0.0.1", PORTS[t])) for _ in range(cap + extra)]
    time.sleep(0.3)  # every refusal has been written by now; accepted ones are silent
    readable, _, _ = select.select(socks, [], [], 0)
    refused, enveloped = 0, 0
    for s in readable:
        s.settimeout(1)
        try:
            data = s.recv(65536)
        except ConnectionResetError:
            data = b""
        keep(data)
        refused += 1
        answers = parse_responses(data)
        if data and answers and answers[0][0] == 503 and is_envelope(answers[0][2]):
            enveloped += 1
        elif data:
            report(False, f"{t}: flood refusal", f"unexpected answer {data[:200]!r}")
    accepted = len(socks) - refused
    # The API also holds the gateway's pooled connections to it, which count toward its cap.
    ok = accepted <= cap and refused >= extra and (t == "api" or accepted == cap)
    report(ok, f"{t}: {cap + extra} connections against a cap of {cap}: the extra ones refused at once",
           f"accepted {accepted}, refused {refused} ({enveloped} with a 503 envelope)")
    start, still_open = time.monotonic(), [s for s in socks if s not in readable]
    closed = 0
    while still_open and time.monotonic() - start < HEADER_TIMEOUT + SLACK:
        ready, _, _ = select.select(still_open, [], [], 0.05)
        for s in ready:
            try:
                if not s.recv(1):
                    closed += 1
            except ConnectionResetError:
                closed += 1
            still_open.remove(s)
    report(not still_open, f"{t}: the accepted flood connections are closed by the header timeout",
           f"{len(still_open)} still open after {HEADER_TIMEOUT}+{SLACK}s")
    for s in socks:
        s.close()
    for _ in range(100):  # the server counts the closes on its own threads
        got, _, _ = exchange(PORTS[t], [(0, req(b"GET", b"/health", b"Connection: close\r\n"))], 2)
        if got.startswith(b"HTTP/1.1 200"):
            break
        time.sleep(0.05)
    report(got.startswith(b"HTTP/1.1 200"), f"{t}: serves again once the flood is gone", repr(got[:200]))


def main():
    for t in ("gw", "api"):
        framing_cases(t)
        body_limit_cases(t)
        head_hook_cases(t)
    slow = [threading.Thread(target=slow_cases, args=(t,)) for t in ("gw", "api")]
    for th in slow:
        th.start()
    for th in slow:
        th.join()
    for t in ("gw", "api"):
        flood_case(t)
    print("summary cases={cases} failed={failed} gateway_401={gateway_401}".format(**results), flush=True)
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
