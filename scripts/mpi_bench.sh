#!/usr/bin/env bash
# scripts/mpi_bench.sh — a benchmark, not a test: pyrt-mpi against
# mpi4py.futures (MPICommExecutor) in the same mpirun session shape on this
# machine, rank 0 submitting and the other ranks serving, one thread per
# serving rank on both sides. Prints a markdown table (README, "On MPI").
#
#   scripts/mpi_bench.sh            # needs OpenMPI (scripts/mpi.sh installs it) and pip's mpi4py
#
# Rows: submit+result of many tiny tasks, one round trip, map over 1M tiny
# items with chunksize 10 000, and a heavy map's speed-up from 1 to 2
# serving ranks (mpirun -n 2 vs -n 3; ideal 2.00x).

set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
[[ $(id -u) -ne 0 ]] || export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
python3 -c 'import mpi4py' 2>/dev/null || python3 -m pip install -q mpi4py
cargo build --release -q -p pyrt-mpi --features mpi --example mpi_bench
OURS=(target/release/examples/mpi_bench)
PEER=(python3 scripts/mpi_bench.py)
MPIRUN=(timeout 600 mpirun --oversubscribe)

# value ROW OUTPUT: the number printed for ROW.
value() { sed -n "s/^bench $1 \([0-9.]*\).*/\1/p" <<<"$2" | head -1; }

ours="$("${MPIRUN[@]}" -n 3 "${OURS[@]}")"
ours1="$(PYRT_BENCH=heavy "${MPIRUN[@]}" -n 2 "${OURS[@]}")"
peer="$("${MPIRUN[@]}" -n 3 "${PEER[@]}")"
peer1="$(PYRT_BENCH=heavy "${MPIRUN[@]}" -n 2 "${PEER[@]}")"
printf '%s\n' "$ours" "$ours1" "$peer" "$peer1" >&2

python3 - "$ours" "$ours1" "$peer" "$peer1" <<'PY'
import re, sys
def rows(text):
    return {m[0]: float(m[1]) for m in re.findall(r"^bench (\S+) ([0-9.]+)", text, re.M)}
ours, ours1, peer, peer1 = map(rows, sys.argv[1:])
print("| row (mpirun -n 3: rank 0 submits, 2 ranks serve) | ours | mpi4py.futures | peer / ours | target |")
print("|---|---|---|---|---|")
for key, label, unit, target in [
    ("submit_result", "submit + result of many tiny tasks", "µs/task", ">= 20x"),
    ("round_trip", "one submit -> result round trip", "µs", ">= 20x"),
    ("map_1m", "map over 1M tiny items, chunksize 10 000", "µs/item", "<= 0.1 µs/item"),
]:
    o, p = ours[key], peer[key]
    print(f"| {label} | {o:g} {unit} | {p:g} {unit} | {p / o:.1f}x | {target} |")
so = ours1["heavy_map"] / ours["heavy_map"]
sp = peer1["heavy_map"] / peer["heavy_map"]
print(f"| heavy map, 64 items: speed-up 1 -> 2 serving ranks (ideal 2.00x) | {so:.2f}x "
      f"({ours1['heavy_map']:g} -> {ours['heavy_map']:g} ms) | {sp:.2f}x "
      f"({peer1['heavy_map']:g} -> {peer['heavy_map']:g} ms) | - | >= 1.80x (within 10 % of ideal) |")
PY
