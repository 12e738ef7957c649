"""Renders saved results as Markdown tables (printed, and written into docs/benchmarks.md between
its results markers). Run alone, it renders a saved results.json again: report.py RESULTS [DOC]."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from results_section import write_results  # noqa: E402

BEGIN = "<!-- results: written by make bench -->"
END = "<!-- end of results -->"

# (key, label, unit, raw key, higher is better)
ROWS = [
    ("enqueue_each", "enqueue, one at a time", "rate", "LPUSH/rate", True),
    ("enqueue_batch", "enqueue in batches", "rate", "LPUSH pipelined/rate", True),
    ("drain", "drain, one worker, concurrency 1", "rate", "LMOVE/rate", True),
    ("p50_us", "enqueue-to-start latency p50", "us", "LPUSH/p50_us", False),
    ("p99_us", "enqueue-to-start latency p99", "us", "LPUSH/p99_us", False),
    ("memory_per_job", "Redis memory per waiting job", "bytes", "memory_per_entry", False),
    ("cpu_percent", "idle worker CPU (% of one core)", "percent", None, False),
    ("rss_bytes", "idle worker RSS (worker + children)", "rss", None, False),
]


def fmt(value, unit):
    if value is None:
        return "—"
    if unit == "rate":
        return f"{value:,.0f}/s"
    if unit == "us":
        return f"{value / 1000:,.1f} ms" if value >= 10_000 else f"{value:,.0f} µs"
    if unit == "bytes":
        return f"{value:,.0f} B"
    if unit == "percent":
        return f"{value:.2f} %"
    if unit == "rss":
        return f"{value / 1048576:.1f} MiB"
    return f"{value:g}"


def ratio(value, baseline):
    if value is None or not baseline:
        return None
    quotient = value / baseline
    if quotient == 0:
        return "0"
    if quotient < 0.1:
        return f"1/{1 / quotient:,.0f}"
    return f"{quotient:.2f}" if quotient < 10 else f"{quotient:,.0f}"


def figure(results, name, key):
    if key in ("cpu_percent", "rss_bytes"):
        return (results.get("idle", {}).get(name) or {}).get(key)
    return results["summary"][name].get(key)


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main_table(results):
    names = ["jobq"] + [p["name"] for p in results["peers"]]
    versions = {p["name"]: p["version"] for p in results["peers"]}
    headers = ["measurement", "raw Redis"] + [f"{n} {versions[n]}" if n in versions else n for n in names]
    rows, behind = [], []
    for key, label, unit, raw_key, higher in ROWS:
        raw_value = results["summary"]["raw"].get(raw_key) if raw_key else None
        jobq_value = figure(results, "jobq", key)
        row = [label, fmt(raw_value, unit) if raw_key else "n/a"]
        for name in names:
            value = figure(results, name, key)
            if value is None:
                row.append("cannot (see notes)" if key != "drain" else "did not finish")
                continue
            parts = [r for r in (ratio(value, raw_value), None if name == "jobq" else ratio(value, jobq_value)) if r]
            mark = " †" if key == "drain" and results["summary"][name].get("drain_note") else ""
            row.append(fmt(value, unit) + mark + (f" ({' · '.join(parts)})" if parts else ""))
        rows.append(row)
        if jobq_value is not None:
            ahead = [(n, figure(results, n, key)) for n in names[1:] if figure(results, n, key) is not None]
            ahead = sorted(((n, v) for n, v in ahead if (v > jobq_value if higher else v < jobq_value)),
                           key=lambda item: -item[1] if higher else item[1])
            if ahead:
                behind.append(f"{label}: jobq {fmt(jobq_value, unit)}, behind " + ", ".join(f"{n} {fmt(v, unit)}" for n, v in ahead))
    return table(headers, rows), behind


def raw_table(results):
    raw = results["summary"]["raw"]
    rows = []
    for command in ("LPUSH", "LMOVE", "EVALSHA"):
        rows.append([command, fmt(raw.get(f"{command}/rate"), "rate"), fmt(raw.get(f"{command} pipelined/rate"), "rate")])
    rows.append(["LPUSH latency p50 / p99", fmt(raw.get("LPUSH/p50_us"), "us") + " / " + fmt(raw.get("LPUSH/p99_us"), "us"), ""])
    rows.append(["list entry `{\"payload\":{}}`", fmt(raw.get("memory_per_entry"), "bytes"), ""])
    return table(["raw Redis (redis-benchmark, one client)", "plain", "pipelined, -P 16"], rows)


def scale_table(results):
    scale = results.get("scale")
    if not scale:
        return None
    first = scale["rows"][0]
    rows = []
    for row in scale["rows"]:
        rows.append([
            f"{row['depth']:,}",
            f"{fmt(row['enqueue_rate'], 'rate')} ({ratio(row['enqueue_rate'], first['enqueue_rate'])})",
            f"{fmt(row['drain_rate'], 'rate')} ({ratio(row['drain_rate'], first['drain_rate'])})",
            fmt(row["memory_per_job"], "bytes"),
            fmt(row["fill_rate"], "rate"),
        ])
    headers = ["jobs already waiting", f"enqueue {results['meta']['settings']['scale_sample']:,} more (÷ first row)",
               f"drain {results['meta']['settings']['scale_sample']:,} (÷ first row)", "Redis memory per waiting job", "filling rate"]
    return table(headers, rows)


def jobq_bench_table(results):
    rows = []
    for row in results["summary"].get("jobq_bench", []):
        unit = {"µs": "us", "B": "bytes"}.get(row["unit"], "rate")
        value = fmt(row["value"], unit)
        rows.append([row["name"], value, "" if row["ratio"] is None else f"{row['ratio']:.2f}", row.get("baseline") or ""])
    return table(["`jobq bench` row", "value", "ratio", "baseline"], rows) if rows else None


def settings_table(results):
    summary = results["summary"]
    rows = [["jobq", results["meta"]["jobq_commit"], "`jobq bench`: the library's worker loop in a thread, no-op handler",
             "`Queue.enqueue(batch:)` (one pipelined script call)", str(summary["jobq"].get("samples") or "—")]]
    for peer in results["peers"]:
        samples = summary[peer["name"]].get("samples")
        rows.append([peer["name"], peer["version"], peer["settings"], peer["batch_api"], "—" if samples is None else f"{samples:.0f}"])
    return table(["queue", "version", "worker settings", "batch API used", "latency samples (median)"], rows)


def render(results):
    meta = results["meta"]
    settings = meta["settings"]
    main, behind = main_table(results)
    parts = [
        f"Measured {meta['date']} on {meta['cpus']} CPUs, Redis {meta['redis']}, Python {meta['python']}, "
        f"jobq {meta['jobq_commit']}; load average {meta['load_start']} at the start, {meta['load_end']} at the end "
        f"(other builds shared the machine: read the ratios, which come from the same run). "
        f"N = {settings['jobs']:,} jobs, batches of {settings['batch']}, medians of {settings['runs']} runs; "
        f"idle window {settings['idle_seconds']:.0f} s; the whole run took {meta['seconds']} s.",
        "",
        "Each cell: the median, then (÷ raw Redis · ÷ jobq). Rates: higher is better; latency, memory, CPU: lower is better.",
        "",
        main,
        "",
        raw_table(results),
        "",
        settings_table(results),
    ]
    bench_rows = jobq_bench_table(results)
    if bench_rows:
        parts += ["", "Every row of `jobq bench` in the same runs (medians of the values and of the per-run ratios; "
                  "each ratio is to a baseline measured moments before it in the same process):", "", bench_rows]
    scale = scale_table(results)
    if scale:
        parts += ["", "jobq at depth (`jobq enqueue --jsonl` and `ingest-worker --max-jobs`, process start subtracted, medians of 3):",
                  "", scale]
    notes = [f"{p['name']}: {results['summary'][p['name']]['drain_note']}" for p in results["peers"]
             if results["summary"][p["name"]].get("drain_note")]
    if notes:
        parts += ["", f"† Could not drain {settings['jobs']:,} jobs within the {settings['drain_budget']:.0f} s budget; "
                  "the rate counts the jobs that left the queue in that time (" + "; ".join(notes) + ")."]
    parts += ["", "Where jobq is not first: " + ("; ".join(behind) + "." if behind else "nowhere.")]
    return "\n".join(parts)


def write_docs(path, text):
    write_results(path, BEGIN, END, text)


if __name__ == "__main__":
    with open(sys.argv[1]) as saved:
        rendered = render(json.load(saved))
    print(rendered)
    if len(sys.argv) > 2:
        write_docs(sys.argv[2], rendered)
