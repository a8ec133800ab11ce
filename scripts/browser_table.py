#!/usr/bin/env python3
"""Turn the browser tier's measured times into the README's browser table.

`scripts/test.sh browser` (scripts/browser.sh test) times the Mandelbrot demo
in headless Chromium, 1 worker against N in the same page, in both modes:
the shared-memory (threads) mode with wasm-bindgen-rayon on the same tiles as
its peer, and the messages mode (a page without cross-origin isolation). Each
run writes target/browser/browser-results.json and keeps a copy in
target/browser/runs/. This script reads the runs given (default: every file
in target/browser/runs/, else the last results file) and rewrites the text
between <!-- browser-table:start --> and <!-- browser-table:end --> in
README.md: one row per configuration, as a range over the runs when there are
several. Each ratio compares numbers taken in the same run.

Usage: python3 scripts/browser_table.py [--print] [RESULTS_JSON ...]
"""

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
RUNS = ROOT / "target" / "browser" / "runs"
LAST = ROOT / "target" / "browser" / "browser-results.json"
README = ROOT / "README.md"
START, END = "<!-- browser-table:start -->", "<!-- browser-table:end -->"


def span(values, fmt):
    """`a` or `a–b` over the runs."""
    lo, hi = min(values), max(values)
    return fmt(lo) if fmt(lo) == fmt(hi) else f"{fmt(lo)}–{fmt(hi)}"


def ms(v):
    return f"{v:.0f} ms"


def ratio(v):
    return f"{v:.2f}x"


def table(runs):
    n = runs[0].get("hardwareConcurrency", "N")
    image = runs[0]["demo"]["image"]
    d = [r["demo"] for r in runs]
    m = [r["messages"] for r in runs if "messages" in r]
    rows = [
        f"| {image} | time ({len(runs)} run{'s' if len(runs) > 1 else ''}) | ratio |",
        "|---|---|---|",
        f"| shared memory: our pool, 1 worker | {span([x['oneWorkerMs'] for x in d], ms)} | 1.00x |",
        f"| shared memory: our pool, {n} workers | {span([x['nWorkersMs'] for x in d], ms)} | "
        f"{span([x['speedup'] for x in d], ratio)} faster than 1 worker |",
        f"| shared memory: wasm-bindgen-rayon, {d[0].get('rayonThreads', n)} threads | "
        f"{span([x['rayonMs'] for x in d], ms)} | {span([x['oursVsRayon'] for x in d], ratio)} "
        f"of our {n}-worker time |",
    ]
    if m:
        rows += [
            f"| messages (not isolated): 1 worker | {span([x['oneWorkerMs'] for x in m], ms)} | 1.00x |",
            f"| messages (not isolated): {n} workers | {span([x['nWorkersMs'] for x in m], ms)} | "
            f"{span([x['speedup'] for x in m], ratio)} faster than 1 worker |",
        ]
    return "\n".join(rows)


def main():
    args = sys.argv[1:]
    show = "--print" in args
    paths = [pathlib.Path(a) for a in args if a != "--print"]
    if not paths:
        paths = sorted(RUNS.glob("*.json")) or ([LAST] if LAST.exists() else [])
    if not paths:
        sys.exit("no browser results: run `scripts/test.sh browser` first")
    runs = [json.loads(p.read_text()) for p in paths]
    runs = [r for r in runs if "demo" in r]
    if not runs:
        sys.exit("the results hold no demo times (did the browser run fail early?)")
    text = table(runs)
    if show:
        print(text)
        return
    readme = README.read_text()
    if START not in readme or END not in readme:
        sys.exit(f"README.md has no {START} ... {END} markers")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{text}\n{END}{tail}")
    print(f"README.md: browser table from {len(runs)} run(s)")


if __name__ == "__main__":
    main()
