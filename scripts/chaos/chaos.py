"""`make chaos`: every scenario against its own private Redis with real processes, each ending in an
audit, then the wire-format fuzzer. Prints one table, writes it into docs/reliability.md, and exits
1 if any scenario missed its goal."""
import datetime
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from context import Context  # noqa: E402
from result import Result  # noqa: E402
from scenarios import (eviction, kill_worker, malformed, poison_oom, redis_absent, redis_freeze, redis_restart,  # noqa: E402
                       sentinel_failover, supervisor_kill, unstartable)
from scenarios import cluster_reshard  # noqa: E402
import fuzz  # noqa: E402

sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from results_section import write_results  # noqa: E402

SCENARIOS = [kill_worker, redis_restart, redis_freeze, redis_absent, sentinel_failover, cluster_reshard, malformed,
             eviction, supervisor_kill, poison_oom, unstartable]
BEGIN = "<!-- results: written by make chaos -->"
END = "<!-- end of results -->"


def loadavg():
    with open("/proc/loadavg") as file:
        return " ".join(file.read().split()[:3])


def fuzz_result(context, seconds):
    result = Result(f"libFuzzer on the wire-format decoding path ({seconds} s)")
    result.recovery = "n/a"
    try:
        tried, kinds, examples = fuzz.run(os.path.join(context.work_dir, "fuzz"), seconds)
    except RuntimeError as error:
        result.expect(False, str(error).splitlines()[0])
        return result
    result.notes.append(f"{tried:,} inputs tried under AddressSanitizer")
    for kind, count in kinds.most_common():
        result.expect(False, f"{count} inputs break “{kind}”, e.g. {os.path.relpath(examples[kind], os.path.join(HERE, '..', '..'))}")
    return result


def render(results, meta):
    def cell(value, is_count=True):
        return f"{value:,}" if is_count and isinstance(value, int) else str(value)

    lines = [
        f"Run {meta['date']} at commit {meta['commit']} on {meta['cpus']} CPUs; load average {meta['load_start']} at the "
        f"start, {meta['load_end']} at the end (other builds shared the machine); seed {meta['seed']}; took {meta['seconds']} s.",
        "",
        "| scenario | jobs | completed | duplicate runs | dead letters | still waiting | lost | recovery | goal met |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        counted = r.jobs > 0
        row = [r.name] + ([cell(r.jobs), cell(r.completed), cell(r.duplicates), cell(r.dead), cell(r.waiting), cell(r.lost)]
                          if counted else ["—"] * 6)
        row += [r.recovery, "yes" if r.passed else "**no**"]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    for r in results:
        details = r.notes + [f"**missed:** {f}" for f in r.failures]
        if details:
            lines.append(f"- {r.name}: " + "; ".join(details) + ".")
    return "\n".join(lines)


def write_docs(path, text):
    write_results(path, BEGIN, END, text)


def main():
    bin_dir = os.environ["JOBQ_BIN_DIR"]
    work_dir = os.environ.get("CHAOS_DIR", os.path.join(HERE, "..", "..", ".build-chaos"))
    os.makedirs(work_dir, exist_ok=True)
    seed = int(os.environ.get("CHAOS_SEED") or time.time())
    fuzz_seconds = int(os.environ.get("CHAOS_FUZZ_SECONDS", "60"))
    chosen = [s for s in os.environ.get("CHAOS_SCENARIOS", "").split(",") if s]
    context = Context(bin_dir, work_dir, seed)
    began = time.monotonic()
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": os.popen(f"git -C {HERE} rev-parse --short HEAD").read().strip(),
        "cpus": os.cpu_count(), "load_start": loadavg(), "seed": seed,
    }
    results = []
    for scenario in SCENARIOS:
        name = scenario.__name__.rsplit(".", 1)[-1]
        if chosen and name not in chosen:
            continue
        context.progress(f"scenario {name}")
        outcome = scenario.run(context)
        for result in outcome if isinstance(outcome, list) else [outcome]:
            results.append(result)
            context.progress(f"  {result.name}: {'goal met' if result.passed else 'MISSED: ' + '; '.join(result.failures)}")
    if fuzz_seconds > 0 and (not chosen or "fuzz" in chosen):
        context.progress(f"fuzzing the wire format for {fuzz_seconds} s")
        results.append(fuzz_result(context, fuzz_seconds))
    meta["load_end"] = loadavg()
    meta["seconds"] = round(time.monotonic() - began)
    text = render(results, meta)
    print(text)
    if os.environ.get("CHAOS_WRITE_DOCS", "1") == "1" and not chosen:
        write_docs(os.path.join(HERE, "..", "..", "docs", "reliability.md"), text)
    sys.exit(0 if all(r.passed for r in results) else 1)


if __name__ == "__main__":
    main()
