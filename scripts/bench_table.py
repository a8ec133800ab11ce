#!/usr/bin/env python3
"""Turn criterion's results into the README's benchmark table.

Reads target/criterion/<group>/<bench>/new/estimates.json (the point
estimate of the mean), and rewrites the text between
<!-- bench-table:start --> and <!-- bench-table:end --> in README.md with one
row per group: our time, each peer's time, and the ratio peer / ours (above
1.00x: we are faster). Only numbers from one `cargo bench` run belong in one
table, so the ratios compare measurements taken side by side.

Usage: python3 scripts/bench_table.py [--print]
"""

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CRITERION = ROOT / "target" / "criterion"
README = ROOT / "README.md"
START, END = "<!-- bench-table:start -->", "<!-- bench-table:end -->"

# Group -> (what it measures, the target from the issue, or none: engine II (15) for
# the executor rows, parallel iterators (16) for the par_ rows).
GROUPS = {
    "submit_result_100k": ("submit + result of 100k tiny tasks", "<= 2.0x ideal (sequential / 2); below rayon and tokio"),
    "round_trip": ("one external submit -> result on an idle pool", "<= 1 µs; below tokio, threadpool, smol"),
    "pool_map_1m_tiny": ("Pool.map over 1M tiny items", "<= 1.1x rayon"),
    "map_10k_heavy": ("Pool.map over 10k heavy items", ">= 0.95x ideal (sequential / 2)"),
    "map_10k_skewed": ("Pool.map, first 5% of items cost 100x", ">= 1.9x over sequential"),
    "fib25_nested_submit": ("fib(25) by nested submit/result", "<= 0.25x tokio"),
    "queue_pipeline_10k": ("10k items through a Queue(64) between two blocking calls", "<= 1.0x threadpool + sync_channel"),
    "fib25_join": ("fib(25) by join", "<= 1.0x rayon join"),
    "idle_cpu_100ms": ("CPU used by an idle pool in 100 ms", "< 1% of a core (1 ms)"),
    "queue_mpmc_1m": ("Queue(1024), 2 producers + 2 consumers, 1M items", "<= 1.0x crossbeam bounded(1024)"),
    "lock_contended_1m": ("with lock: n += 1 from 4 threads, 1M acquisitions", "none (std::sync::Mutex for scale)"),
    "rlock_contended_1m": ("with rlock: n += 1 (an RLock) from 4 threads, 1M acquisitions", "none (std::sync::Mutex for scale)"),
    "semaphore_contended_1m": ("with sem: n += 1 (a Semaphore(1)) from 4 threads, 1M acquisitions", "none (std::sync::Mutex for scale)"),
    # Parallel iterators (benches/benches/par_iter.rs, issue 16).
    "par_sum_squares_10m": ("par_iter: sum of squares over 10M u64", "<= 1.0x rayon"),
    "par_map_collect_1m": ("par_iter: map(..).collect::<Vec<_>>() over 1M items", "<= 1.0x rayon"),
    "par_filter_count_10m": ("par_iter: filter(..).count() over 10M", "<= 1.0x rayon"),
    "par_chunks_4096_10m": ("par_chunks(4096) with a per-chunk reduction, 10M", "<= 1.0x rayon"),
    "par_fold_histogram_10m": ("par_iter: fold/reduce of a 256-bin histogram, 10M", "<= 1.0x rayon"),
    "par_sort_unstable_10m_u64": ("par_sort_unstable of 10M random u64", "<= 1.0x rayon"),
    "par_sort_1m_strings": ("par_sort of 1M strings", "<= 1.0x rayon"),
    "par_iter_skewed_10k": ("par_iter, first 5% of items cost 100x", ">= 1.9x over sequential"),
}
PEERS = ["rayon", "tokio", "threadpool", "smol", "crossbeam", "std", "sequential"]


def mean_ns(group: str, bench: str):
    path = CRITERION / group / bench / "new" / "estimates.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())["mean"]["point_estimate"]


def fmt_time(ns: float) -> str:
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def table() -> str:
    lines = [
        "| benchmark | ours | " + " | ".join(PEERS) + " | target |",
        "|---|---|" + "---|" * len(PEERS) + "---|",
    ]
    for group, (what, target) in GROUPS.items():
        ours = mean_ns(group, "ours")
        if ours is None:
            continue
        cells = []
        for peer in PEERS:
            t = mean_ns(group, peer)
            cells.append("–" if t is None else f"{fmt_time(t)} ({t / ours:.2f}x)")
        lines.append(f"| {what} | {fmt_time(ours)} | " + " | ".join(cells) + f" | {target} |")
    lines.append("")
    lines.append(
        "Each peer cell is its time and, in brackets, peer time / our time: "
        "above 1.00x we are faster. For `idle_cpu_100ms` the \"time\" is CPU time "
        "used while idle (lower is better)."
    )
    return "\n".join(lines)


def main() -> int:
    if not CRITERION.exists():
        print("no target/criterion: run `cargo bench -p benches` first", file=sys.stderr)
        return 1
    t = table()
    if "--print" in sys.argv:
        print(t)
        return 0
    text = README.read_text()
    if START not in text or END not in text:
        print("README.md lacks the bench-table markers", file=sys.stderr)
        return 1
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{t}\n{END}{tail}")
    print(t)
    return 0


if __name__ == "__main__":
    sys.exit(main())
