#!/usr/bin/env python3
"""CPU per thread group of a JFR recording from jdk.ThreadCPULoad (user + system, sampled by JFR every 10 s with
settings=profile; Java threads only, not GC or VM threads), in cores averaged over the recording, next to the
process total from jdk.CPULoad (jvmUser + jvmSystem, in cores of the machine). Usage: jfr-threads.py FILE.jfr [TOP]"""
import collections
import os
import re
import subprocess
import sys

path = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 20
cores = os.cpu_count()

def events(name):
    out = subprocess.run(["jfr", "print", "--events", name, path], check=True, capture_output=True, text=True).stdout
    return out.split(name + " {")[1:]

def pct(e, field):
    m = re.search(field + r" = ([\d.]+)%", e)
    return float(m.group(1)) / 100 if m else 0.0

per = collections.defaultdict(float)
samples = collections.Counter()
times = set()
for e in events("jdk.ThreadCPULoad"):
    t = re.search(r'eventThread = "([^"]*)"', e).group(1)
    t = re.sub(r"hz\.ipdr-[^.]*\.", "hz.", re.sub(r"\d+", "N", t))
    per[t] += (pct(e, "user") + pct(e, "system")) * cores
    times.add(re.search(r"startTime = (\S+)", e).group(1)[:8])
periods = max(1, len(times))
total = [(pct(e, "jvmUser") + pct(e, "jvmSystem")) * cores for e in events("jdk.CPULoad")]
print(f"{path}: process {sum(total) / max(1, len(total)):.3f} cores (jdk.CPULoad, {len(total)} samples); "
      f"Java threads below, averaged over ~{periods} periods")
java = 0.0
for t, v in sorted(per.items(), key=lambda kv: -kv[1])[:top]:
    print(f"  {v / periods:6.3f} cores  {t}")
    java += v / periods
print(f"  {sum(per.values()) / periods:6.3f} cores  all Java threads")
