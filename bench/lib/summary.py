#!/usr/bin/env python3
"""Summary of one bench/run.sh run against the goals of issue 5 (stdlib only).

usage: summary.py RESULTS_DIR   (prints Markdown; run.sh also writes it to RESULTS_DIR/summary.md)
Harness figures are medians over rounds, aggregated the way the harness's own report does.
"""
import json
import os
import re
import statistics
import sys

OUT = sys.argv[1]


def load_json(name):
    p = os.path.join(OUT, name)
    return json.load(open(p)) if os.path.exists(p) else None


def read(name, default=""):
    p = os.path.join(OUT, name)
    return open(p).read().strip() if os.path.exists(p) else default


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


# ------------------------------------------------------------------ harness
agg = {}
runs = os.path.join(OUT, "harness", "runs.jsonl")
if os.path.exists(runs):
    groups = {}
    for line in open(runs):
        if line.strip():
            r = json.loads(line)
            if r.get("wrk"):
                groups.setdefault((r["target"], r["payload"], r["mode"]), []).append(r)
    for k, rs in groups.items():
        agg[k] = {
            "rps": med([r["wrk"]["rps"] for r in rs]),
            "p50": med([r["wrk"]["lat_us"]["p50"] for r in rs]),
            "p99": med([r["wrk"]["lat_us"]["p99"] for r in rs]),
            "sut_cpu": med([r.get("sut_cpu_pct") for r in rs]),
            "bg": med([r.get("bg_cpu_pct") for r in rs]),
            "bg_max": max(r.get("bg_cpu_pct") or 0 for r in rs),
            "errors": sum(sum(r["wrk"]["errors"].values()) for r in rs),
        }


def h(target, payload, mode, field):
    a = agg.get((target, payload, mode))
    return a[field] if a else None


def ratio(a, b):
    return a / b if a is not None and b else None


def added(target, payload, field):
    a, d = h(target, payload, "lat", field), h("direct", payload, "lat", field)
    return a - d if a is not None and d is not None else None


# ------------------------------------------------------------------ micro
micro = {}
m = load_json("micro.json")
if m:
    for b in m["benchmarks"]:
        micro[b["name"]] = b

tiktoken = {}
for line in read("tiktoken.txt").splitlines():
    mt = re.match(r"tiktoken@\S+ (\w+): (\d+) tokens, digest (\w+), median ([\d.]+) M tokens/s", line)
    if mt:
        tiktoken[mt.group(1)] = {"tokens": int(mt.group(2)), "digest": mt.group(3), "tps": float(mt.group(4)) * 1e6}


def kt_tokenizer(name):
    b = micro.get("BM_TokenizerEncode/%s" % name)
    if not b:
        return None
    # wall-clock, like the node script's process.hrtime (items_per_second is per CPU second)
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
    return {"tps": b.get("tokens", 0) / (b["real_time"] * scale), "tokens": int(b.get("tokens", 0)),
            "digest": b.get("label", "").replace("digest ", "")}


ledger_best = None
for name, b in micro.items():
    if name.startswith("BM_PriceReserveSettle_InProcessLease") and b.get("items_per_second"):
        if not ledger_best or b["items_per_second"] > ledger_best[1]:
            ledger_best = (name, b["items_per_second"])

# ------------------------------------------------------------------ probes
ttfb_d, ttfb_k = load_json("ttfb.direct.json"), load_json("ttfb.kt.json")
pace_d, pace_k = load_json("pacing.direct.json"), load_json("pacing.kt.json")
idle = load_json("idle-rss.json")

# ------------------------------------------------------------------ report
fmt_us = lambda v: "-" if v is None else ("%.2f ms" % (v / 1000) if abs(v) >= 1000 else "%d µs" % round(v))
fmt_x = lambda v: "-" if v is None else "%.3f" % v
verdict = lambda ok: "n/a (not measured)" if ok is None else ("**met**" if ok else "**not met**")

rows = []
for payload in ("json", "sse"):
    r = ratio(h("kt", payload, "load", "rps"), h("nginx", payload, "load", "rps"))
    rows.append(("kt req/s ÷ nginx req/s, 64 conns, %s" % payload.upper(), "≥ 0.85",
                 "%s (kt %s, nginx %s rps)" % (fmt_x(r), *["%.0f" % v if v else "-" for v in
                                                          (h("kt", payload, "load", "rps"), h("nginx", payload, "load", "rps"))]),
                 None if r is None else r >= 0.85))
for payload in ("json", "sse"):
    r = ratio(h("kt", payload, "load", "rps"), h("portkey", payload, "load", "rps"))
    rows.append(("kt req/s ÷ Portkey req/s, 64 conns, %s" % payload.upper(), "≥ 20",
                 "%s (Portkey %s rps)" % ("-" if r is None else "%.1f" % r,
                                          "%.0f" % h("portkey", payload, "load", "rps") if h("portkey", payload, "load", "rps") else "-"),
                 None if r is None else r >= 20))
for payload in ("json", "sse"):
    k, n = added("kt", payload, "p50"), added("nginx", payload, "p50")
    ok = None if k is None or n is None else k <= 1.25 * n
    rows.append(("p50 added over direct, 1 conn, %s" % payload.upper(), "≤ 1.25 × nginx's",
                 "kt +%s, nginx +%s (limit %s)" % (fmt_us(k), fmt_us(n), fmt_us(None if n is None else 1.25 * n)), ok))
for payload in ("json", "sse"):
    k = added("kt", payload, "p99")
    rows.append(("p99 added over direct, 1 conn, %s" % payload.upper(), "≤ 150 µs", "+" + fmt_us(k),
                 None if k is None else k <= 150))
if pace_d and pace_k and len(pace_d["event_ms"]) == len(pace_k["event_ms"]) and pace_k["event_ms"]:
    deltas = [k - d for k, d in zip(pace_k["event_ms"], pace_d["event_ms"])]
    gaps = [b - a for a, b in zip(pace_k["event_ms"], pace_k["event_ms"][1:])]
    rows.append(("SSE: every event forwarded as it arrives (upstream 20 ms apart)", "no chunk held back",
                 "%d events; kt − direct per event: max %+.2f ms, first %+.2f ms; kt gaps %.1f–%.1f ms" %
                 (len(deltas), max(deltas), deltas[0], min(gaps or [0]), max(gaps or [0])),
                 # held back = forwarded only with a later event: a delay of at least one upstream gap
                 len(pace_k["event_ms"]) > 1 and max(deltas) < 20))
else:
    rows.append(("SSE: every event forwarded as it arrives", "no chunk held back", "-", None))
if idle:
    pid = next(iter(idle["after_kb"]))
    mb = idle["after_kb"][pid]["VmRSS"] / 1024
    rows.append(("RSS with %d idle keep-alive connections (gateway process)" % idle["connections"], "≤ 40 MB",
                 "%.1f MB (%.1f MB before; statuses %s)" % (mb, idle["before_kb"][pid]["VmRSS"] / 1024, idle["statuses"]),
                 mb <= 40))
else:
    rows.append(("RSS with 1,000 idle keep-alive connections", "≤ 40 MB", "-", None))
for name in ("o200k_base", "cl100k_base"):
    k, t = kt_tokenizer(name), tiktoken.get(name)
    r = ratio(k and k["tps"], t and t["tps"])
    same = k and t and k["digest"] == t["digest"] and k["tokens"] == t["tokens"]
    rows.append(("tokenizer tokens/s ÷ npm tiktoken tokens/s, %s" % name, "≥ 1.5",
                 "-" if r is None else "%.2f (wall clock: kt %.2f M/s, tiktoken %.2f M/s; ids %s)" %
                 (r, k["tps"] / 1e6, t["tps"] / 1e6, "identical" if same else "DIFFER"),
                 None if r is None else r >= 1.5))
rows.append(("in-process reserve + settle per second, one core (hold + settle on the worker's budget lease)",
             "≥ 200,000", "-" if not ledger_best else "%.0f (%s)" % (ledger_best[1], ledger_best[0]),
             None if not ledger_best else ledger_best[1] >= 200000))

print("# bench/run.sh: %s" % os.path.basename(os.path.abspath(OUT)))
print()
print("- machine: %s" % read("machine.txt", "?"))
print("- load average at start / end: %s / %s" % (read("loadavg-start.txt", "?"), read("loadavg-end.txt", "?")))
meta = load_json("harness/meta.json")
if meta:
    print("- harness layout: %s; %ss x %s rounds" % (meta.get("layout"), meta.get("duration"), meta.get("rounds")))
if agg:
    bgs = [a["bg_max"] for a in agg.values()]
    print("- foreign CPU during harness runs (bg CPU%%, %% of one core): median %.0f, max %.0f" %
          (med([a["bg"] for a in agg.values()]) or 0, max(bgs)))
sus = load_json("sustained.json")
if sus:
    print()
    print("## Sustained (issue 10): answers / (load seconds + seconds until the ledger holds them all)")
    print()
    print("| figure | this issue's bar | the long goal | measured |")
    print("|---|---|---|---|")
    def mark(ok):
        return "met" if ok else "not met"
    r = sus["sustained_ratio_to_nginx"]
    print("| sustained kt / nginx plain proxy req/s, JSON | >= 0.5 | >= 0.85 | **%.3f** (%.0f / %.0f rps; %s) |"
          % (r, sus["kt_sustained_rps"], sus["nginx_rps"], mark(r >= 0.5)))
    lag = sus["ledger_lag_ms"]
    print("| ledger lag at the end of %d s at full load | <= 1 s | <= 100 ms | **%s** (%s) |"
          % (sus["seconds"], "%d ms" % lag if lag >= 0 else "never caught up", mark(0 <= lag <= 1000)))
    print("| every answer in the ledger, exactly | yes | yes | %s (wrk counted %d answers, the ledger %d: "
          "wrk leaves out the requests in flight when its time is up) |"
          % ("yes" if sus["ledger_exact"] else "**no**", sus["answers"], sus.get("ledger_answers", -1)))
    g = sus["peak_rss_gateway_mb"]
    print("| gateway peak RSS under sustained load | <= 128 MB | <= 64 MB | **%.1f MB** (%s); API %.1f MB |"
          % (g, mark(g <= 128), sus["peak_rss_api_mb"]))
    print("| CPU per request, all kt processes, after-load work included | | | %.0f us |"
          % sus["cpu_us_per_request_all_kt"])
    print("| kt req/s during the load (before the ledger catch-up) | | | %.0f |" % sus["kt_load_rps"])

print()
print("## Goals (issue 5)")
print()
print("| figure | goal | measured | |")
print("|---|---|---|---|")
for name, goal, value, ok in rows:
    print("| %s | %s | %s | %s |" % (name, goal, value, verdict(ok)))
if agg:
    print()
    print("## Harness (medians over rounds)")
    print()
    print("| target | payload | mode | rps | p50 | p99 | +p50 | +p99 | SUT CPU% | SUT CPU µs/request | bg CPU% | errors |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (t, p, mo), a in sorted(agg.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
        d = agg.get(("direct", p, mo))
        print("| %s | %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %.0f | %d |" % (
            t, p, mo, a["rps"], fmt_us(a["p50"]), fmt_us(a["p99"]),
            "-" if t == "direct" or not d else fmt_us(a["p50"] - d["p50"]),
            "-" if t == "direct" or not d else fmt_us(a["p99"] - d["p99"]),
            "-" if a["sut_cpu"] is None else "%.0f" % a["sut_cpu"],
            "-" if a["sut_cpu"] is None or not a["rps"] else "%.0f" % (a["sut_cpu"] * 1e4 / a["rps"]),
            a["bg"] or 0, a["errors"]))
if ttfb_d and ttfb_k:
    print()
    print("## Streaming first byte (curl %%{time_starttransfer}, %d sequential requests, new connection each)" % ttfb_k["n"])
    print()
    print("| path | p50 | p90 | p99 |")
    print("|---|---|---|---|")
    for name, t in (("direct (nginx mock /sse/v1)", ttfb_d), ("through kt", ttfb_k)):
        print("| %s | %s | %s | %s |" % (name, fmt_us(t["p50_us"]), fmt_us(t["p90_us"]), fmt_us(t["p99_us"])))
    print("| added by kt | %s | %s | %s |" % tuple(fmt_us(ttfb_k[f] - ttfb_d[f]) for f in ("p50_us", "p90_us", "p99_us")))
if idle:
    print()
    print("## Memory with idle keep-alive connections (VmRSS, MB)")
    print()
    print("| process | before | with %d idle connections | peak (VmHWM) |" % idle["connections"])
    print("|---|---|---|---|")
    for i, (pid, a) in enumerate(idle["after_kb"].items()):
        print("| %s (pid %s) | %.1f | %.1f | %.1f |" % (["kt gateway (JSON)", "kt api serve"][min(i, 1)], pid,
                                                    idle["before_kb"][pid]["VmRSS"] / 1024, a["VmRSS"] / 1024, a["VmHWM"] / 1024))
if micro:
    print()
    print("## Micro-benchmarks (kt_bench, Google Benchmark, pinned to the SUT cpu)")
    print()
    print("| benchmark | wall time/iter | CPU time/iter | items/s (CPU) | bytes/s (CPU) | label |")
    print("|---|---|---|---|---|---|")
    for name, b in micro.items():
        unit = b.get("time_unit", "ns")
        print("| %s | %.3g %s | %.3g %s | %s | %s | %s |" % (
            name, b["real_time"], unit, b["cpu_time"], unit,
            "%.4g" % b["items_per_second"] if b.get("items_per_second") else "-",
            "%.3g MB/s" % (b["bytes_per_second"] / 1e6) if b.get("bytes_per_second") else "-",
            b.get("label", "")))
