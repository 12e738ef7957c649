#!/usr/bin/env python3
"""Builds the wire-format libFuzzer target (Fuzz/WireFormatFuzzer.swift with the JobQueue sources it
needs) and runs it for a bounded time in fork mode, then replays each finding to group findings by
the property they broke. Used by `make chaos`; runnable alone: fuzz.py [--seconds N]."""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
from collections import Counter

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
# The target, and the package sources it needs: the whole wire format and what it refers to. They
# are compiled as one module, so imports of the package's own modules are left out.
SOURCES = [
    "Fuzz/WireFormatFuzzer.swift",
    "Sources/JobQueue/WireFormat/*.swift",
    "Sources/JobQueue/Queue/ReservedJob.swift",
    "Sources/JobQueue/JobQueueError.swift",
    "Sources/RedisClient/RedisError.swift",
    "Sources/RedisClient/RedisReply.swift",
]
PACKAGE_MODULES = ("RedisClient", "HumanUnits")
# The Swift runtime's own crash reporter gets in the way of the sanitizer's.
ENVIRONMENT = dict(os.environ, SWIFT_BACKTRACE="enable=no")


def sources():
    """The files of SOURCES, patterns expanded; a pattern or file that matches nothing is kept as
    written, so that swiftc names it."""
    files = []
    for pattern in SOURCES:
        files.extend(sorted(glob.glob(os.path.join(ROOT, pattern))) or [os.path.join(ROOT, pattern)])
    return files


def one_module_sources(work_dir):
    """Copies of the sources without `import` lines of the package's own modules."""
    copies = os.path.join(work_dir, "sources")
    shutil.rmtree(copies, ignore_errors=True)
    os.makedirs(copies)
    paths = []
    for index, path in enumerate(sources()):
        if not os.path.exists(path):
            paths.append(path)
            continue
        with open(path) as file:
            lines = [line for line in file if line.strip() not in {f"import {m}" for m in PACKAGE_MODULES}]
        copy = os.path.join(copies, f"{index}-{os.path.basename(path)}")
        with open(copy, "w") as file:
            file.writelines(lines)
        paths.append(copy)
    return paths


def build(work_dir):
    binary = os.path.join(work_dir, "wire-format-fuzzer")
    argv = ["swiftc", "-swift-version", "6", "-sanitize=fuzzer,address", "-parse-as-library", "-O", "-g",
            "-module-name", "JobQueueFuzz", "-package-name", "jobq",
            *one_module_sources(work_dir), "-o", binary]
    built = subprocess.run(argv, capture_output=True, text=True)
    if built.returncode != 0:
        errors = [line for line in built.stderr.splitlines() if "error:" in line]
        raise RuntimeError(f"the fuzz target does not build: {errors[0] if errors else 'swiftc exited ' + str(built.returncode)}\n"
                           + built.stderr[-3000:])
    return binary


def fuzz(binary, work_dir, seconds):
    """Runs libFuzzer; returns (inputs tried, finding files)."""
    corpus = os.path.join(work_dir, "corpus")
    findings = os.path.join(work_dir, "findings")
    os.makedirs(corpus, exist_ok=True)
    shutil.rmtree(findings, ignore_errors=True)
    os.makedirs(findings)
    for seed in glob.glob(os.path.join(ROOT, "Fuzz", "corpus", "*")):
        shutil.copy(seed, corpus)
    argv = [binary, "-fork=1", "-ignore_crashes=1", f"-max_total_time={seconds}", "-max_len=16384",
            "-rss_limit_mb=2048", f"-artifact_prefix={findings}/", corpus]
    with open(os.path.join(work_dir, "fuzz.log"), "w") as log:
        subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT, env=ENVIRONMENT, timeout=seconds + 120)
    with open(os.path.join(work_dir, "fuzz.log"), errors="replace") as log:
        counts = [int(n) for n in re.findall(r"^#(\d+)", log.read(), re.MULTILINE)]
    return (max(counts) if counts else 0), sorted(glob.glob(os.path.join(findings, "*")))


def classify(binary, finding):
    """The property a saved finding breaks: its fatal error's first clause, or the sanitizer's summary."""
    replay = subprocess.run([binary, finding], capture_output=True, env=ENVIRONMENT, timeout=60)
    output = replay.stdout.decode(errors="replace") + replay.stderr.decode(errors="replace")
    fatal = re.search(r"Fatal error: ([^(:\n]+)", output)
    if fatal:
        kind = fatal.group(1).strip()
    else:
        summary = re.search(r"SUMMARY: (\S+: \S+)", output)
        kind = summary.group(1) if summary else "crash"
    with open(finding, "rb") as file:
        if b"\x00" in file.read():
            kind += " (input holds a NUL byte)"
    return kind


def run(work_dir, seconds):
    """Builds, fuzzes and classifies; returns (inputs tried, Counter of finding kinds, an example of each)."""
    os.makedirs(work_dir, exist_ok=True)
    binary = build(work_dir)
    tried, findings = fuzz(binary, work_dir, seconds)
    kinds, examples = Counter(), {}
    for finding in findings:
        kind = classify(binary, finding)
        kinds[kind] += 1
        examples.setdefault(kind, finding)
    return tried, kinds, examples


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--work-dir", default=os.path.join(ROOT, ".build-chaos", "fuzz"))
    options = parser.parse_args()
    tried, kinds, examples = run(options.work_dir, options.seconds)
    print(f"{tried:,} inputs in {options.seconds} s; {sum(kinds.values())} findings")
    for kind, count in kinds.most_common():
        print(f"  {count} × {kind}, e.g. {examples[kind]}")
    sys.exit(1 if kinds else 0)


if __name__ == "__main__":
    main()
