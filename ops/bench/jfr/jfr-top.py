#!/usr/bin/env python3
"""Aggregates the CPU samples of a JFR recording (jdk.ExecutionSample, and jdk.NativeMethodSample apart) of a
collector node: samples per thread group, top self frames, and inclusive samples of the shared-state code paths
(Hazelcast, dedup's publishes and claims, the session view). Usage: jfr-top.py FILE.jfr [TOP (25)]
Needs the JDK's `jfr` on PATH."""
import collections
import re
import subprocess
import sys

path = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
out = subprocess.run(["jfr", "print", "--stack-depth", "64", "--events", "jdk.ExecutionSample", path],
                     check=True, capture_output=True, text=True).stdout
events = out.split("jdk.ExecutionSample {")[1:]

def frames_of(e):
    m = re.search(r"stackTrace = \[(.*?)\n  \]", e, re.S)
    if not m:
        return []
    return [re.sub(r"\s+line: \d+.*$", "", l.strip()) for l in m.group(1).strip().split("\n") if l.strip() != "..."]

def group(thread):
    t = re.sub(r"\d+", "N", thread)
    t = re.sub(r"hz\.ipdr-[^.]*\.", "hz.", t)
    return t

threads = collections.Counter()
selfs = collections.Counter()
incl = collections.Counter()
paths = {
    "hazelcast (any frame com.hazelcast)": lambda fs, t: any(f.startswith("com.hazelcast") for f in fs),
    "hazelcast threads (hz.*)": lambda fs, t: t.startswith("hz."),
    "thread-per-callback threads (Thread-N)": lambda fs, t: t == "Thread-N",
    "dedup MarkDurable (process/serialize)": lambda fs, t: any("MarkDurable" in f for f in fs),
    "dedup RecordDeduplicator.flush": lambda fs, t: any("RecordDeduplicator.flush" in f for f in fs),
    "dedup SequenceRangeSet": lambda fs, t: any("SequenceRangeSet" in f for f in fs),
    "dedup writeOwned/classify (record path)": lambda fs, t: any("RecordDeduplicator.writeOwned" in f or "RecordDeduplicator.classify" in f for f in fs),
    "dedup PrimaryClaim": lambda fs, t: any("PrimaryClaim" in f for f in fs),
    "session view publish (HazelcastStreamRegistry)": lambda fs, t: any("HazelcastStreamRegistry" in f for f in fs),
    "serialization (com.hazelcast.internal.serialization)": lambda fs, t: any(f.startswith("com.hazelcast.internal.serialization") for f in fs),
    "cassandra driver (com.datastax)": lambda fs, t: any(f.startswith("com.datastax") for f in fs),
    "netty (io.netty)": lambda fs, t: any(f.startswith("io.netty") for f in fs),
    "node record path (io.ipdrsp.node)": lambda fs, t: any(f.startswith("io.ipdrsp.node") for f in fs),
}
n = 0
for e in events:
    m = re.search(r'sampledThread = "([^"]*)"', e)
    t = group(m.group(1)) if m else "?"
    fs = frames_of(e)
    n += 1
    threads[t] += 1
    if fs:
        selfs[fs[0]] += 1
    for name, test in paths.items():
        if test(fs, t):
            incl[name] += 1
print(f"{path}: {n} execution samples")
print("\nsamples per thread group:")
for k, v in threads.most_common(top):
    print(f"  {v:6d} {100.0 * v / n:5.1f} %  {k}")
print("\ninclusive (any frame on the stack):")
for k in paths:
    v = incl[k]
    print(f"  {v:6d} {100.0 * v / n:5.1f} %  {k}")
print("\ntop self frames:")
for k, v in selfs.most_common(top):
    print(f"  {v:6d} {100.0 * v / n:5.1f} %  {k}")
