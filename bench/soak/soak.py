#!/usr/bin/env python3
"""Soak benchmark (issue 15): an Imprint server and a simulated fleet in two processes, sampled.

The server is `./imprint up` on a fresh data folder (127.0.8.x addresses), with operational
certificates living --lifetime (devices rotate at two thirds of it), CRLs with a short nextUpdate,
telemetry kept --retention and expired device certificates kept --cert-retention. The fleet is
`./imprint device simulate` against it: telemetry at 1 msg/s per device, one device churned every
--churn (drop and reconnect, away past its certificate's lifetime and back, operational
certificate revoked and registered again).

Every --every seconds, for each process: RSS, JVM-tracked native memory (NMT committed) and RSS
minus it, threads, file descriptors; every --gc-every samples a forced GC (after the RSS reading)
gives the heap used after GC. Also the store file and its WAL, telemetry rows, certificates,
the served CRL's thisUpdate/nextUpdate, and server log lines. At the end: the slope of each
series after --warmup, per hour and as % per hour of its warm value.

  bench/soak/soak.py --minutes 30                # what bench/README.md reports
  bench/soak/soak.py --minutes 1440 --devices 200  # the 24 h run

Writes OUT/samples.csv, OUT/slopes.txt, OUT/server.log, OUT/sim.log and the curves as SVG
(standard library only): OUT/server.svg and OUT/sim.svg (RSS, heap used after GC, memory outside
NMT over time), OUT/store.svg (store file MB, certificates, telemetry rows). Kills only the two
processes it started. `--report CSV` prints the slopes and redraws the charts of an earlier run.
"""
import argparse
import csv
import datetime
import json
import math
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LAUNCHER = os.path.join(ROOT, "imprint")
JAR = os.path.join(ROOT, "imprint-server", "target", "imprint.jar")


def command(out, java_opts):
    """java with the launcher's own default options, on a private copy of the jar (a rebuild during a run cannot touch it)."""
    jar = os.path.join(out, "imprint.jar")
    if not os.path.exists(jar):
        if not os.path.exists(JAR):
            sys.exit(f"{JAR} missing: build it first (./imprint --help builds it)")
        shutil.copy(JAR, jar)
    with open(LAUNCHER) as f:
        defaults = re.search(r'default_opts="([^"]*)"', f.read()).group(1).split()
    return ["java", *defaults, *java_opts.split(), "-XX:NativeMemoryTracking=summary", "-jar", jar]

CONFIG = """\
pki: {{address: 127.0.8.1, port: {pki}}}
https: {{address: 127.0.8.1, port: {https}}}
ca:
  operationalValidityDays: {lifetime}
  crlNextUpdateSeconds: {crl}
  expiredCertificateRetention: {cert_retention}
dps:
  https: {{address: 127.0.8.1, port: {dps}}}
  mqtt: {{address: 127.0.8.2, port: {mqtt}}}
  deviceRate: 0
hub:
  telemetryRetention: {retention}
hubs:
  - {{name: hub-1, address: 127.0.8.3, port: {hub}}}
  - {{name: hub-2, address: 127.0.8.4, port: {hub}}}
"""


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out


def jcmd(pid, *args):
    r = subprocess.run(["jcmd", str(pid), *args], capture_output=True, text=True, timeout=120)
    return r.stdout


def nmt_committed_kb(pid):
    """(all the JVM tracks, of which the Java heap), committed, in KB."""
    txt = jcmd(pid, "VM.native_memory", "summary")
    total = re.search(r"Total: reserved=\d+KB, committed=(\d+)KB", txt)
    heap = re.search(r"Java Heap \(reserved=\d+KB, committed=(\d+)KB\)", txt)
    return (int(total.group(1)) if total else -1), (int(heap.group(1)) if heap else 0)


def heap_rss_kb(pid):
    """Resident part of the Java heap: G1 commits regions it has not touched yet, so NMT's
    committed heap overstates what is in RAM; smaps of the heap's address range tells."""
    m = re.search(r"\[(0x[0-9a-f]+), (0x[0-9a-f]+)\)", jcmd(pid, "GC.heap_info"))
    if not m:
        return 0
    lo, hi = int(m.group(1), 16), int(m.group(2), 16)
    rss, inside = 0, False
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = re.match(r"([0-9a-f]+)-([0-9a-f]+) ", line)
            if head:
                a, b = int(head.group(1), 16), int(head.group(2), 16)
                inside = a < hi and b > lo
            elif inside and line.startswith("Rss:"):
                rss += int(line.split()[1])
    return rss


def heap_used_after_gc_kb(pid):
    jcmd(pid, "GC.run")
    m = re.search(r"used (\d+)K", jcmd(pid, "GC.heap_info"))
    return int(m.group(1)) if m else -1


def sample_process(pid, gc):
    st = proc_status(pid)
    rss = int(st["VmRSS"].split()[0])
    nmt, heap_committed = nmt_committed_kb(pid)
    heap_rss = heap_rss_kb(pid)
    return {
        "rss_mb": rss / 1024,
        "nmt_mb": nmt / 1024,
        "heap_rss_mb": heap_rss / 1024,
        # resident memory the JVM does not track: RSS minus the heap's resident part minus the
        # rest of what NMT counts as committed (metaspace, code, GC, threads ... mostly resident)
        "outside_nmt_mb": (rss - heap_rss - (nmt - heap_committed)) / 1024,
        "threads": int(st["Threads"]),
        "fds": len(os.listdir(f"/proc/{pid}/fd")),
        "heap_after_gc_mb": heap_used_after_gc_kb(pid) / 1024 if gc else "",
    }


def store_sample(data):
    db = os.path.join(data, "imprint.db")
    size = lambda p: os.path.getsize(p) / 1e6 if os.path.exists(p) else 0
    out = {"db_mb": size(db), "wal_mb": size(db + "-wal")}
    try:
        c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
        out["telemetry_rows"] = c.execute("select count(*) from hub_telemetry").fetchone()[0]
        out["certificates"] = c.execute("select count(*) from certificates").fetchone()[0]
        for t in ("audit_log", "registration_events", "dps_operations", "node_messages", "hub_c2d"):
            out[t + "_rows"] = c.execute(f"select count(*) from {t}").fetchone()[0]
        c.close()
    except sqlite3.Error as e:
        out["store_error"] = str(e)
    return out


def crl_sample(pki):
    try:
        der = urllib.request.urlopen(f"http://{pki}/crl/operational.crl", timeout=10).read()
        txt = subprocess.run(["openssl", "crl", "-inform", "DER", "-noout", "-lastupdate", "-nextupdate"],
                             input=der, capture_output=True).stdout.decode()
        parse = lambda k: datetime.datetime.strptime(re.search(k + r"=(.*GMT)", txt).group(1), "%b %d %H:%M:%S %Y %Z")
        now = datetime.datetime.utcnow()
        return {"crl_age_s": round((now - parse("lastUpdate")).total_seconds()),
                "crl_next_in_s": round((parse("nextUpdate") - now).total_seconds())}
    except Exception as e:  # a refused CRL fetch is a finding, not a crash of the sampler
        return {"crl_age_s": f"error {e}", "crl_next_in_s": ""}


def log_lines(path):
    info = 0
    with open(path, errors="replace") as f:
        for line in f:
            if " INFO " in line or "level=INFO" in line:
                info += 1
    return info


def slope(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0


def report(rows, warmup_s, out):
    warm = [r for r in rows if r["t_s"] >= warmup_s]
    lines = [f"slopes after {warmup_s} s of warm-up, {len(warm)} samples, least squares over time",
             f"{'series':34} {'warm mean':>12} {'end value':>12} {'per hour':>12} {'% of warm/h':>12}"]
    for k in rows[0]:
        if k in ("t_s", "time"):
            continue
        pts = [(r["t_s"], r[k]) for r in warm if isinstance(r[k], (int, float))]
        if len(pts) < 3:
            continue
        xs, ys = [p[0] / 3600 for p in pts], [p[1] for p in pts]
        s = slope(xs, ys)
        w = sum(ys) / len(ys)  # the warm value: the mean after warm-up (one sample is too noisy a reference)
        pct = f"{100 * s / w:+.2f}" if w else "-"
        lines.append(f"{k:34} {w:12.1f} {ys[-1]:12.1f} {s:+12.2f} {pct:>12}")
    text = "\n".join(lines)
    print(text)
    with open(os.path.join(out, "slopes.txt"), "w") as f:
        f.write(text + "\n")


def nice_step(span, ticks=4):
    """A round step (1, 2 or 5 times a power of ten) giving about `ticks` gridlines over `span`."""
    raw = span / ticks if span > 0 else 1
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)


def svg_panel(x0, y0, w, h, title, unit, pts, t_end, warmup):
    """One series as a polyline with a y grid and the end of warm-up dashed; pts are (t_s, value)."""
    out = [f'<text x="{x0}" y="{y0 - 6}" font-size="13" font-weight="bold">{escape(title)}</text>']
    if not pts:
        out.append(f'<text x="{x0 + 10}" y="{y0 + h / 2}" font-size="12">no samples</text>')
        return out
    ys = [v for _, v in pts]
    lo, hi = min(0, min(ys)), max(ys)
    step = nice_step(hi - lo)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    hi = hi if hi > lo else lo + step
    sx = lambda t: x0 + w * t / t_end
    sy = lambda v: y0 + h - h * (v - lo) / (hi - lo)
    out.append(f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="none" stroke="#999"/>')
    v = lo
    while v <= hi + step / 2:
        out.append(f'<line x1="{x0}" y1="{sy(v):.1f}" x2="{x0 + w}" y2="{sy(v):.1f}" stroke="#e4e4e4"/>'
                   f'<text x="{x0 - 6}" y="{sy(v) + 4:.1f}" font-size="11" text-anchor="end">{v:g}</text>')
        v += step
    minute = 60 * nice_step(t_end / 60, 6)
    t = 0
    while t <= t_end:
        out.append(f'<text x="{sx(t):.1f}" y="{y0 + h + 14}" font-size="11" text-anchor="middle">{t / 60:g}</text>')
        t += minute
    if 0 < warmup < t_end:
        out.append(f'<line x1="{sx(warmup):.1f}" y1="{y0}" x2="{sx(warmup):.1f}" y2="{y0 + h}" stroke="#d62728" '
                   f'stroke-dasharray="4,3"/><text x="{sx(warmup) + 4:.1f}" y="{y0 + 12}" font-size="10" fill="#d62728">warm</text>')
    line = " ".join(f"{sx(t):.1f},{sy(v):.1f}" for t, v in pts)
    out.append(f'<polyline points="{line}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>')
    out.extend(f'<circle cx="{sx(t):.1f}" cy="{sy(v):.1f}" r="2" fill="#1f77b4"/>' for t, v in pts)
    out.append(f'<text x="{x0 + w}" y="{y0 - 6}" font-size="11" text-anchor="end">{escape(unit)}; minutes from the fleet\'s start</text>')
    return out


CHARTS = {
    "server": [("server_rss_mb", "server RSS", "MB"), ("server_heap_after_gc_mb", "server heap used after a forced GC", "MB"),
               ("server_outside_nmt_mb", "server memory outside NMT", "MB")],
    "sim": [("sim_rss_mb", "devices RSS", "MB"), ("sim_heap_after_gc_mb", "devices heap used after a forced GC", "MB"),
            ("sim_outside_nmt_mb", "devices memory outside NMT", "MB")],
    "store": [("db_mb", "store file (imprint.db)", "MB"), ("certificates", "certificates rows", "rows"),
              ("telemetry_rows", "telemetry rows", "rows")],
}


def charts(rows, out, warmup=0):
    """OUT/server.svg, OUT/sim.svg, OUT/store.svg: one panel per series over time (standard library only)."""
    t_end = max(r["t_s"] for r in rows) or 1
    w, h, left, gap = 640, 150, 60, 60
    written = []
    for name, series in CHARTS.items():
        height = gap + len(series) * (h + gap)
        body = []
        for i, (key, title, unit) in enumerate(series):
            pts = [(r["t_s"], r[key]) for r in rows if isinstance(r.get(key), (int, float))]
            body += svg_panel(left, gap / 2 + 10 + i * (h + gap), w, h, title, unit, pts, t_end, warmup)
        svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + w + 20}" height="{height}" font-family="sans-serif">\n'
               f'<rect width="100%" height="100%" fill="white"/>\n' + "\n".join(body) + "\n</svg>\n")
        path = os.path.join(out, f"{name}.svg")
        with open(path, "w") as f:
            f.write(svg)
        written.append(path)
    return written


def wait_up(data, proc, timeout):
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            sys.exit(f"server exited with {proc.returncode}; see its log")
        if os.path.exists(os.path.join(data, "endpoints.json")):
            return
        time.sleep(1)
    sys.exit("server not up in time")


def main():
    a = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    a.add_argument("--minutes", type=float, default=30)
    a.add_argument("--devices", type=int, default=100)
    a.add_argument("--lifetime", default="45s", help="operational certificate lifetime (rotation at 2/3)")
    a.add_argument("--crl", default="60s", help="CRL nextUpdate")
    a.add_argument("--retention", default="5m", help="telemetry retention")
    a.add_argument("--cert-retention", default="2m", help="expired device certificates kept this long (pruned every minute)")
    a.add_argument("--churn", default="10s")
    a.add_argument("--park", default="60s")
    a.add_argument("--every", type=float, default=30, help="seconds between samples")
    a.add_argument("--gc-every", type=int, default=4, help="force a GC (heap used after GC) every N samples")
    a.add_argument("--warmup", type=float, default=0.33, help="fraction of the run (or seconds when > 1) before slopes")
    a.add_argument("--base-port", type=int, default=18080)
    a.add_argument("--java-opts", default="-Xmx512m", help="both processes, besides NMT")
    a.add_argument("--malloc-arena-max", default="", help="MALLOC_ARENA_MAX for both (default: the launcher's; 8 is glibc's own on 1 core)")
    a.add_argument("--out", default=os.path.join(ROOT, "bench", "target", "soak-" + time.strftime("%Y%m%d-%H%M%S")))
    a.add_argument("--report", metavar="CSV", help="only print the slopes of an earlier run's samples.csv")
    o = a.parse_args()
    if o.report:
        rows = [{k: (float(v) if re.fullmatch(r"-?[0-9.]+", v or "") else v) for k, v in r.items()}
                for r in csv.DictReader(open(o.report))]
        end = rows[-1]["t_s"]
        out = os.path.dirname(os.path.abspath(o.report))
        report(rows, o.warmup * end if o.warmup <= 1 else o.warmup, out)
        print("charts:", " ".join(charts(rows, out, o.warmup * end if o.warmup <= 1 else o.warmup)))
        return

    data = os.path.join(o.out, "data")
    os.makedirs(data)
    p = o.base_port
    with open(os.path.join(data, "imprint.yaml"), "w") as f:
        f.write(CONFIG.format(pki=p, https=p + 1, dps=p + 2, mqtt=p + 3, hub=p + 4, lifetime=o.lifetime, crl=o.crl,
                              retention=o.retention, cert_retention=o.cert_retention))
    java = command(o.out, o.java_opts)
    with open(LAUNCHER) as f:
        arenas = o.malloc_arena_max or re.search(r'MALLOC_ARENA_MAX:-(\w+)', f.read()).group(1)
    env = dict(os.environ, MALLOC_ARENA_MAX=arenas)
    procs = {}
    try:
        server_log = open(os.path.join(o.out, "server.log"), "w")
        procs["server"] = subprocess.Popen([*java, "up", "--data", data], stdout=server_log, stderr=subprocess.STDOUT,
                                           env=env, start_new_session=True)
        wait_up(data, procs["server"], 300)
        seconds = int(o.minutes * 60)
        sim_log = open(os.path.join(o.out, "sim.log"), "w")
        procs["sim"] = subprocess.Popen([*java, "device", "simulate", "--data", data, "--count", str(o.devices),
                                         "--duration", f"{seconds}s", "--churn", o.churn, "--park", o.park, "--plain",
                                         "--parallel", "8"],
                                        stdout=sim_log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        t0 = time.time()
        rows = []
        path = os.path.join(o.out, "samples.csv")
        writer = None
        n = 0
        while procs["sim"].poll() is None:
            time.sleep(o.every)
            if procs["sim"].poll() is not None:
                break
            if procs["server"].poll() is not None:
                sys.exit(f"server died ({procs['server'].returncode})")
            gc = n % o.gc_every == 0
            n += 1
            row = {"t_s": round(time.time() - t0), "time": time.strftime("%H:%M:%S")}
            for name, proc in procs.items():
                try:
                    for k, v in sample_process(proc.pid, gc).items():
                        row[f"{name}_{k}"] = v
                except (FileNotFoundError, subprocess.TimeoutExpired, KeyError) as e:
                    print(f"sample of {name} failed: {e}", file=sys.stderr)
            row.update(store_sample(data))
            row.update(crl_sample(f"127.0.8.1:{p}"))
            row["server_info_lines"] = log_lines(os.path.join(o.out, "server.log"))
            rows.append(row)
            if writer is None:
                fh = open(path, "w", newline="")
                writer = csv.DictWriter(fh, fieldnames=list(row), extrasaction="ignore")
                writer.writeheader()
            writer.writerow(row)
            fh.flush()
            print(" ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()), flush=True)
        procs["sim"].wait()
        warmup = o.warmup * seconds if o.warmup <= 1 else o.warmup
        if rows:
            # heap after GC is sampled every gc-every rows: fill the gaps so it is a series of its own
            report(rows, warmup, o.out)
            print("charts:", " ".join(charts(rows, o.out, warmup)))
        print(f"simulator exit {procs['sim'].returncode}; samples in {path}")
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
