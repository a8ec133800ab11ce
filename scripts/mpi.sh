#!/usr/bin/env bash
# scripts/mpi.sh — the `mpi` tier (scripts/test.sh mpi): pyrt-mpi on a real
# MPI job on this machine.
#
#   1. installs OpenMPI and libclang (rsmpi's bindgen) from apt if missing;
#   2. builds pyrt-mpi with `--features mpi`: its tests and the demo;
#   3. runs the crate's native tests with the feature on (ranks as threads,
#      and tests/mpi.rs as a one-process MPI job);
#   4. runs tests/mpi.rs under `mpirun -n 3 --oversubscribe` twice: default
#      transports (shared memory), then `--mca btl self,tcp` on loopback so
#      every message crosses the TCP stack;
#   5. the killed-rank test: a call SIGKILLs the rank running it; mpirun must
#      end the job with a message naming the rank and a non-zero status
#      within the timeout (never a hang);
#   6. the demo across 4 ranks: its checksum must equal the native demo's.
#
# Every mpirun runs under `timeout`. Environment: MPI_TIMEOUT (seconds per
# mpirun, default 300), MPI_RANKS (default 3).

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
MPI_TIMEOUT="${MPI_TIMEOUT:-300}"
MPI_RANKS="${MPI_RANKS:-3}"

log() { printf '[mpi.sh] %s\n' "$*"; }
die() { printf '[mpi.sh] ERROR: %s\n' "$*" >&2; exit 1; }
run() { printf '+ %s\n' "$*"; "$@"; }

as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi
}

have_libclang() {
    compgen -G "/usr/lib/llvm-*/lib/libclang*.so*" >/dev/null ||
        compgen -G "/usr/lib/*/libclang*.so*" >/dev/null
}

ensure_mpi() {
    if command -v mpicc >/dev/null && command -v mpirun >/dev/null && have_libclang; then
        return 0
    fi
    command -v apt-get >/dev/null || die "OpenMPI or libclang missing and apt-get unavailable"
    log "installing OpenMPI and libclang from apt"
    run as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    run as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        libopenmpi-dev openmpi-bin libclang-dev
}

# The executable cargo built for `--test NAME` / `--example NAME`.
built_executable() {
    grep -o '"executable":"[^"]*"' | sed 's/"executable":"\(.*\)"/\1/' | grep -E "/$1(-[0-9a-f]+)?$" | tail -1
}

ensure_mpi
if [[ "${1:-}" == "--install-only" ]]; then
    return 0 2>/dev/null || exit 0
fi
if [[ $(id -u) -eq 0 ]]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
MPIRUN=(timeout --kill-after=10 "$MPI_TIMEOUT" mpirun --oversubscribe)

log "build"
TEST_BIN="$(cargo test --release -p pyrt-mpi --features mpi --test mpi --no-run \
    --message-format=json 2>/dev/null | built_executable mpi)"
DEMO_BIN="$(cargo build --release -p pyrt-mpi --features mpi --example mpi_demo \
    --message-format=json 2>/dev/null | built_executable mpi_demo)"
[[ -x "$TEST_BIN" ]] || die "tests/mpi.rs did not build"
[[ -x "$DEMO_BIN" ]] || die "the mpi_demo example did not build"

log "native tests with the mpi feature"
run timeout "$MPI_TIMEOUT" cargo test --release -p pyrt-mpi --features mpi

check_job() {
    local out
    out="$(mktemp)"
    if ! "$@" 2>&1 | tee "$out"; then
        die "mpirun failed: $*"
    fi
    grep -Eq '^[0-9]+ passed, 0 failed$' "$out" || die "no clean 'N passed, 0 failed' from: $*"
    rm -f "$out"
}

log "tests under mpirun -n $MPI_RANKS (default transports)"
check_job "${MPIRUN[@]}" -n "$MPI_RANKS" "$TEST_BIN"

log "tests under mpirun -n $MPI_RANKS --mca btl self,tcp (loopback TCP)"
check_job "${MPIRUN[@]}" -n "$MPI_RANKS" --mca btl self,tcp --mca btl_tcp_if_include lo "$TEST_BIN"

log "killed rank: the job must end with a message and a non-zero status"
out="$(mktemp)"
KILL_LIMIT=60
t0=$SECONDS
set +e
PYRT_MPI_TEST=kill_rank timeout --kill-after=10 "$KILL_LIMIT" mpirun --oversubscribe \
    -n "$MPI_RANKS" "$TEST_BIN" >"$out" 2>&1
rc=$?
set -e
dt=$((SECONDS - t0))
cat "$out"
(( dt < KILL_LIMIT )) || die "killed rank: the job hung until the ${KILL_LIMIT}s timeout"
(( rc != 0 )) || die "killed rank: mpirun exited 0"
grep -Eq 'rank [0-9]+ .*exited on signal 9' "$out" || die "killed rank: no message naming the dead rank"
rm -f "$out"
log "killed rank: mpirun exited $rc after ${dt}s, naming the dead rank"

log "demo across 4 ranks vs the native demo"
demo_out="$(DEMO_QUICK=1 "${MPIRUN[@]}" -n 4 "$DEMO_BIN")"
printf '%s\n' "$demo_out"
mpi_sum="$(sed -n 's/^checksum: //p' <<<"$demo_out")"
native_sum="$(DEMO_QUICK=1 cargo run --release -q -p demos 2>/dev/null | sed -n 's/^checksum: //p')"
[[ -n "$mpi_sum" && "$mpi_sum" == "$native_sum" ]] ||
    die "demo checksum: mpi '$mpi_sum' vs native '$native_sum'"
log "demo checksum $mpi_sum equals the native demo's"
log "mpi tier passed"
