#!/usr/bin/env python3
"""The HTML report as a person sees it: each report (a replay with a --vary machine, a run of a
shipped scenario, and `report --live` of this host) opened in Debian's headless Chromium; no errors on the page, one
pageblock cell per pageblock of the machine, the charts holding the series the data has (read back
from the page's DOM: its self-test block lists every Chart.js chart with its datasets), a
screenshot under the build folder.  Expected numbers come from the machine's own views and /proc,
not from the report.

usage: report_browser.py PAGEFRAME DATA_DIR WORK_DIR    (exit 77: skipped, no Chromium or Chart.js)
"""
import html
import json
import os
import re
import shutil
import subprocess
import sys

cli, data, work = sys.argv[1], os.path.join(sys.argv[2], "replay"), sys.argv[3]
os.makedirs(work, exist_ok=True)
chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
chartjs = os.environ.get("PAGEFRAME_CHARTJS") or "/usr/share/javascript/chart.js/chart.min.js"
if not chromium or not os.access(chartjs, os.R_OK):
    print("skipped: needs Debian's chromium and libjs-chart.js (make deps-report)")
    sys.exit(77)

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what)


def run(*args):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=120)


def chrome(*args):
    base = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--no-first-run", "--user-data-dir=" + os.path.join(work, "profile"),
            "--enable-logging=stderr", "--v=0", "--virtual-time-budget=15000"]
    return run(*(base + list(args)))


def open_report(path, shot):
    r = chrome("--dump-dom", "file://" + os.path.abspath(path))
    m = re.search(r'<pre id="selftest"[^>]*>(.*?)</pre>', r.stdout, re.S)
    check(m is not None, path + ": no self-test block in the DOM (the page's script did not run)")
    if m is None:
        return None, r.stdout
    st = json.loads(html.unescape(m.group(1)))
    check(st["errors"] == [], path + ": errors on the page: %r" % st["errors"])
    console = [l for l in r.stderr.splitlines() if "CONSOLE" in l and ("Uncaught" in l or "rror" in l)]
    check(console == [], path + ": console errors: %r" % console)
    s = chrome("--screenshot=" + shot, "--window-size=1280,1500", "file://" + os.path.abspath(path))
    check(os.path.getsize(shot) > 10000 if os.path.exists(shot) else False, shot + ": no screenshot")
    return st, r.stdout


def zones_and_cpus(zoneinfo):
    """populated zones (managed > 0) with their CPUs' pagesets, in zoneinfo order"""
    zones, cur = [], None
    for line in zoneinfo.splitlines():
        m = re.match(r"Node (\d+), zone\s+(\S+)", line)
        if m:
            cur = {"id": "%s_%s" % m.groups(), "cpus": [], "managed": 0}
            zones.append(cur)
            continue
        t = line.split()
        if cur and len(t) == 2 and t[0] == "managed":
            cur["managed"] = int(t[1])
        if cur and len(t) == 2 and t[0] == "cpu:":
            cur["cpus"].append(int(t[1]))
    return [z for z in zones if z["managed"] > 0]


def check_charts(st, zones, nsnap, runs, what, memcgs=0):
    ch = st["charts"]
    orders = ["order %d" % o for o in range(11)]
    check([d[0] for d in ch.get("c_cmp", [])] == runs, what + ": comparison series %r" % ch.get("c_cmp"))
    check([d[0] for d in ch.get("c_orders", [])] == orders + ["order-9 blocks free"],
          what + ": free-per-order series %r" % ch.get("c_orders"))
    for z in zones:
        wm = ch.get("c_wm_" + z["id"], [])
        check([d[0] for d in wm][:4] == ["free", "min", "low", "high"], what + ": watermark series of " + z["id"])
        pcp = [d[0] for d in ch.get("c_pcp_" + z["id"], [])]
        want = [s for c in z["cpus"] for s in ("cpu %d count" % c, "cpu %d high" % c)]
        check(pcp == want, what + ": per-CPU series of %s: %r, expected %r" % (z["id"], pcp, want))
        for k in ("c_extfrag_", "c_unusable_"):
            check([d[0] for d in ch.get(k + z["id"], [])] == orders, what + ": " + k + z["id"])
    want = 2 + 4 * len(zones) + memcgs
    check(len(ch) == want, what + ": %d charts, expected %d" % (len(ch), want))
    for cid, ds in ch.items():
        for label, n in ds:
            if label in ("kswapd ran", "kcompactd woken", "allocation stalls", "max events", "oom events"):
                continue
            check(n == nsnap, what + ": %s / %s has %d points, expected %d" % (cid, label, n, nsnap))


# ---- the replay report: the 6.18 excerpt on its machine, and one variant
machine, trace = os.path.join(data, "host-6.18.machine"), os.path.join(data, "trace-6.18-excerpt.txt")
rep = os.path.join(work, "replay.html")
variant = "sysctl vm.watermark_boost_factor=0"
r = run(cli, "replay", "-m", machine, "--every", "500", "--vary", variant, "--stats", "--report", rep, trace)
check(r.returncode == 0, "replay --report: exit %d: %s" % (r.returncode, r.stderr))
ours = int(re.search(r"mm_page_alloc_extfrag: \d+ in the trace, (\d+) from", r.stdout).group(1))
st, dom = open_report(rep, os.path.join(work, "replay.png"))
if st:
    blocks = len(run(cli, "pageblocks", "-m", machine).stdout.splitlines()) - 1
    check(st["cells"] == blocks, "replay: %d pageblock cells, the machine has %d pageblocks" % (st["cells"], blocks))
    zones = zones_and_cpus(run(cli, "zoneinfo", "-m", machine).stdout)
    check(len(zones) == 3, "replay: the machine's populated zones: %r" % zones)
    # a snapshot after boot, one every 500 of the 3000 events, one at the end
    check_charts(st, zones, 1 + 3000 // 500 + 1, ["base", variant], "replay")
    rows = re.search(r'<table id="t_ext">(.*?)</table>', dom, re.S)
    nrows = rows.group(1).count("<tr>") - 1 if rows and rows.group(1).strip() else 0
    check(nrows == ours, "replay: %d rows in the extfrag table, replay --stats counted %d" % (nrows, ours))

# ---- the run report: a shipped scenario on the small example machine
root = os.path.dirname(os.path.dirname(os.path.abspath(sys.argv[2])))
small = os.path.join(root, "examples", "scenarios", "small.machine")
scn = os.path.join(root, "examples", "scenarios", "desktop.scn")
runrep = os.path.join(work, "run.html")
r = run(cli, "run", "--no-progress", "-m", small, "--report", runrep, scn)
check(r.returncode == 0, "run --report: exit %d: %s" % (r.returncode, r.stderr))
m = re.search(r"mm_page_alloc_extfrag: (\d+);", r.stdout)
check(m is not None, "run: no extfrag count in the summary")
st, dom = open_report(runrep, os.path.join(work, "run.png"))
if st and m:
    blocks = len(run(cli, "pageblocks", "-m", small).stdout.splitlines()) - 1
    check(st["cells"] == blocks, "run: %d pageblock cells, the machine has %d pageblocks" % (st["cells"], blocks))
    zones = zones_and_cpus(run(cli, "zoneinfo", "-m", small).stdout)
    # desktop.scn: 8 s in ticks of 1 ms, a snapshot every 250 ms: one at the start and 8000 / 250 = 32
    check_charts(st, zones, 1 + 8000 // 250, ["scenario"], "run")
    rows = re.search(r'<table id="t_ext">(.*?)</table>', dom, re.S)
    nrows = rows.group(1).count("<tr>") - 1 if rows and rows.group(1).strip() else 0
    want = min(int(m.group(1)), 1000)
    check(nrows == want, "run: %d rows in the extfrag table, the run counted %s" % (nrows, m.group(1)))
    # no memcg in desktop.scn: section (g) stays hidden (check_charts counted no memcg chart)
    check(re.search(r'<section id="memcgs" hidden', dom) is not None, "run: the memcg section is shown")

# ---- the run report of the memcg example: a chart per memcg, with the limits the scenario sets
scn = os.path.join(root, "examples", "scenarios", "memcg.scn")
mcrep = os.path.join(work, "memcg.html")
r = run(cli, "run", "--no-progress", "-m", small, "--report", mcrep, scn)
check(r.returncode == 0, "run --report memcg.scn: exit %d: %s" % (r.returncode, r.stderr))
# the summary's memory.events max of each memcg: a chart has max-event marks only where it grew
maxev = dict(re.findall(r"^memcg (\S+): .*\n  memory.events: low \d+ high \d+ max (\d+)", r.stdout, re.M))
check(set(maxev) == {"/apps", "/apps/web", "/db"}, "memcg run: memcgs in the summary %r" % maxev)
st, dom = open_report(mcrep, os.path.join(work, "memcg.png"))
if st:
    zones = zones_and_cpus(run(cli, "zoneinfo", "-m", small).stdout)
    # 3 s, a snapshot every 100 ms: one at the start and 30
    check_charts(st, zones, 1 + 3000 // 100, ["scenario"], "memcg run", memcgs=3)
    ch = st["charts"]
    # the order declared; web is limited by memory.max 64M, db protected by memory.low 128M, apps neither
    for cid, path, limits in (("c_memcg_0", "/apps", []), ("c_memcg_1", "/apps/web", ["memory.max"]),
                              ("c_memcg_2", "/db", ["memory.low"])):
        labels = [d[0] for d in ch.get(cid, [])]
        marks = ["max events"] if int(maxev.get(path, 0)) > 0 else []
        check(labels == ["memory.current"] + limits + marks,
              "memcg run: %s (%s): series %r, expected %r" % (cid, path, labels, ["memory.current"] + limits + marks))
    check(re.search(r'<section id="memcgs"\s*>', dom) is not None, "memcg run: the memcg section is hidden")

# ---- report --live: this host
live = os.path.join(work, "live.html")
r = run(cli, "report", "--live", "--interval", "0.2", "--samples", "3", "--proc", "/nonexistent-proc", "-o", live)
check(r.returncode == 1 and "cannot read /nonexistent-proc/buddyinfo: No such file or directory" in r.stderr,
      "live: an unreadable /proc: exit %d, %r" % (r.returncode, r.stderr))
if all(os.access("/proc/" + f, os.R_OK) for f in ("buddyinfo", "pagetypeinfo", "zoneinfo", "vmstat")):
    r = run(cli, "report", "--live", "--interval", "0.2", "--samples", "3", "-o", live)
    check(r.returncode == 0, "report --live: exit %d: %s" % (r.returncode, r.stderr))
    st, dom = open_report(live, os.path.join(work, "live.png"))
    if st:
        pt = open("/proc/pagetypeinfo").read()
        table = pt[pt.index("Number of blocks type"):].split("\n\n")[0].splitlines()[1:]
        blocks = sum(int(v) for l in table for v in l.split()[4:])
        check(st["cells"] == blocks, "live: %d cells, /proc/pagetypeinfo counts %d pageblocks" % (st["cells"], blocks))
        check_charts(st, zones_and_cpus(open("/proc/zoneinfo").read()), 3, ["this host"], "live")
else:
    print("note: this host's /proc/pagetypeinfo is not readable here; the live report was not opened")

if failures:
    sys.exit(1)
print("ok: screenshots in", work)
