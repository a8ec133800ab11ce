#!/usr/bin/env bash
# scripts/test.sh — the single entry point that runs every test tier.
#
# Usage:
#   scripts/test.sh                      run all tiers
#   scripts/test.sh native loom          run only the named tiers
#   scripts/test.sh --install-only [T..] only install what tiers T need (all if none)
#   scripts/test.sh --list               print the tier names
#   scripts/test.sh --help
#
# Tiers: native conformance cpython wasi browser loom tsan stress mpi adversarial
#
# Every install step is idempotent and returns quickly when the tool is
# already present at the expected version. Tools that are not rustup
# components are installed under $TOOLS_ROOT (default ~/.cache/pyrt-tools),
# whose bin/ is put first on PATH for all tiers and the scripts they call.
#
# Environment knobs:
#   TOOLS_ROOT            install root for cargo-installed tools
#   WASMTIME_MAJOR        wasmtime LTS major line (default 36)
#   WASM_BINDGEN_VERSION  wasm-bindgen-cli version (default 0.2.130); must
#                         match the wasm-bindgen crate version in Cargo.lock
#   NIGHTLY               nightly toolchain name (default nightly): tsan,
#                         miri, rustdoc coverage; not the browser build
#   BROWSER_NIGHTLY       the pinned nightly the browser tier builds the wasm
#                         with (default nightly-2026-10-29; installed with
#                         rust-src, clippy and wasm32-unknown-unknown): the
#                         nightly of 2026-05-19 crashed in LLVM (SIGSEGV)
#                         building the browser suite's pool, multiprocessing
#                         and par_iter tests with atomics + wasm exceptions
#   MSRV                  toolchain of the MSRV build (default: the workspace's
#                         rust-version)
#   SEMVER_CHECKS_VERSION cargo-semver-checks version (default 0.51.0)
#   CI=true               non-interactive, per-tier timing is printed
#
# The file can also be sourced (`source scripts/test.sh`) to call the
# ensure_* install functions directly; main only runs when executed.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ALL_TIERS=(native conformance cpython wasi browser loom tsan stress mpi adversarial)

TOOLS_ROOT="${TOOLS_ROOT:-${HOME:-/root}/.cache/pyrt-tools}"
WASMTIME_MAJOR="${WASMTIME_MAJOR:-36}"
WASM_BINDGEN_VERSION="${WASM_BINDGEN_VERSION:-0.2.130}"
NIGHTLY="${NIGHTLY:-nightly}"
BROWSER_NIGHTLY="${BROWSER_NIGHTLY:-nightly-2026-10-29}"
MSRV="${MSRV:-$(sed -n 's/^rust-version = "\(.*\)"/\1/p' "$REPO_ROOT/Cargo.toml")}"
SEMVER_CHECKS_VERSION="${SEMVER_CHECKS_VERSION:-0.51.0}"
# The library crates: packaged, built with the MSRV, semver-checked and
# measured for doc coverage by the native tier.
LIB_CRATES=(pyrt-scheduler pyrt-executor pyrt-worker-bootstrap pyrt-remote)
NODE_MIN_MAJOR=20
BROWSER_TEST_DIR="$REPO_ROOT/tools/browser-test"
SKIP_RC=77

export TOOLS_ROOT
export PATH="$TOOLS_ROOT/bin:$TOOLS_ROOT/node/bin:${CARGO_HOME:-${HOME:-/root}/.cargo}/bin:$PATH"
export DEBIAN_FRONTEND=noninteractive
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-auto}"
if [[ "${CI:-}" == "true" ]]; then
    export CARGO_TERM_PROGRESS_WHEN=never
    export npm_config_yes=true
fi

# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

log()  { printf '[test.sh] %s\n' "$*"; }
warn() { printf '[test.sh] WARNING: %s\n' "$*" >&2; }
die()  { printf '[test.sh] ERROR: %s\n' "$*" >&2; exit 1; }

# Inside a tier: mark the tier as skipped and leave its subshell.
skip() { log "SKIP: $*"; exit "$SKIP_RC"; }

banner() {
    printf '\n==========================================================================\n'
    printf '== %s\n' "$*"
    printf '==========================================================================\n'
}

# run CMD... : echo then run a command (fails the tier under set -e).
run() { printf '+ %s\n' "$*"; "$@"; }

# Install step wrapper: `install_step NAME FUNC` prints how long FUNC took.
install_step() {
    local name=$1 fn=$2 t0=$SECONDS
    "$fn"
    log "install[$name]: ok ($((SECONDS - t0))s)"
}

# Run a command as root (directly, or through non-interactive sudo).
as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        die "need root for: $*"
    fi
}

# Long cargo builds run at the lowest CPU priority.
nice_cargo() { nice -n 19 cargo "$@"; }

need_cargo() {
    command -v cargo >/dev/null 2>&1 || die "cargo not found; install Rust via rustup first"
}

# `cargo metadata --no-deps` for the workspace, loaded once per tier
# (call load_metadata in the tier's own shell, not in a $(...) subshell).
_METADATA=""
load_metadata() {
    if [[ -z "$_METADATA" ]]; then
        _METADATA="$(cd "$REPO_ROOT" && cargo metadata --no-deps --format-version 1)"
    fi
}

# has_package NAME : the workspace currently contains package NAME.
# Package objects serialise as {"name":..,"version":..}; dependency objects as
# {"name":..,"source":..}, so this pattern only matches real packages.
# (here-strings instead of pipes: `grep -q` + pipefail can report SIGPIPE.)
has_package() {
    load_metadata
    grep -q "\"name\":\"$1\",\"version\":" <<<"$_METADATA"
}

# Directory of workspace package NAME (from its manifest_path).
package_dir() {
    local name=$1
    if command -v jq >/dev/null 2>&1; then
        load_metadata
        jq -r --arg n "$name" \
            '.packages[] | select(.name == $n) | .manifest_path' <<<"$_METADATA" | xargs dirname
    else
        # fallback: the conventional layout <root>/<name>/Cargo.toml
        printf '%s\n' "$REPO_ROOT/$name"
    fi
}

host_triple() { rustc -vV | sed -n 's/^host: //p'; }

# --------------------------------------------------------------------------
# install steps (idempotent; fast no-op when already present)
# --------------------------------------------------------------------------

# ensure_toolchain TOOLCHAIN
ensure_toolchain() {
    local tc=$1
    if rustup run "$tc" rustc --version >/dev/null 2>&1; then
        return 0
    fi
    log "installing toolchain $tc"
    run rustup toolchain install "$tc" --profile minimal --no-self-update
}

# ensure_component TOOLCHAIN COMPONENT
ensure_component() {
    local tc=$1 comp=$2
    ensure_toolchain "$tc"
    local installed
    installed="$(rustup component list --installed --toolchain "$tc" 2>/dev/null || true)"
    if grep -q "^${comp}\(-\|$\)" <<<"$installed"; then
        return 0
    fi
    log "adding component $comp to $tc"
    run rustup component add "$comp" --toolchain "$tc"
}

# ensure_target TOOLCHAIN TARGET
ensure_target() {
    local tc=$1 target=$2
    ensure_toolchain "$tc"
    local installed
    installed="$(rustup target list --installed --toolchain "$tc" 2>/dev/null || true)"
    if grep -qx "$target" <<<"$installed"; then
        return 0
    fi
    log "adding target $target to $tc"
    run rustup target add "$target" --toolchain "$tc"
}

install_native_components() {
    ensure_component stable rustfmt
    ensure_component stable clippy
}

install_wasi_targets() {
    ensure_target stable wasm32-wasip1
    ensure_target stable wasm32-wasip1-threads
}

install_nightly_rust_src() {
    ensure_toolchain "$NIGHTLY"
    ensure_component "$NIGHTLY" rust-src
}

install_wasm_unknown_targets() {
    ensure_target stable wasm32-unknown-unknown
}

# The browser build's own pinned nightly (BROWSER_NIGHTLY), with what
# scripts/browser.sh needs of it: std's source (-Z build-std), clippy and
# the wasm target.
install_browser_nightly() {
    ensure_toolchain "$BROWSER_NIGHTLY"
    ensure_component "$BROWSER_NIGHTLY" rust-src
    ensure_component "$BROWSER_NIGHTLY" clippy
    ensure_target "$BROWSER_NIGHTLY" wasm32-unknown-unknown
}

wasmtime_ok() {
    [[ -x "$TOOLS_ROOT/bin/wasmtime" ]] &&
        [[ "$("$TOOLS_ROOT/bin/wasmtime" --version 2>/dev/null)" == "wasmtime ${WASMTIME_MAJOR}."* ]]
}

install_wasmtime() {
    if wasmtime_ok; then
        log "wasmtime present: $("$TOOLS_ROOT/bin/wasmtime" --version)"
        return 0
    fi
    need_cargo
    log "installing wasmtime-cli ^$WASMTIME_MAJOR into $TOOLS_ROOT (slow: ~10 min on 2 cores)"
    mkdir -p "$TOOLS_ROOT"
    run nice_cargo install wasmtime-cli --version "^$WASMTIME_MAJOR" --locked --root "$TOOLS_ROOT"
    wasmtime_ok || die "wasmtime ${WASMTIME_MAJOR}.x not usable after install"
    log "wasmtime installed: $("$TOOLS_ROOT/bin/wasmtime" --version)"
}

wasm_bindgen_ok() {
    command -v wasm-bindgen >/dev/null 2>&1 &&
        [[ "$(wasm-bindgen --version 2>/dev/null)" == "wasm-bindgen $WASM_BINDGEN_VERSION"* ]]
}

install_wasm_bindgen() {
    if wasm_bindgen_ok; then
        log "wasm-bindgen present: $(wasm-bindgen --version)"
        return 0
    fi
    need_cargo
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION into $TOOLS_ROOT"
    mkdir -p "$TOOLS_ROOT"
    # Deliberately WITHOUT --locked: the crate's lockfile pins webpki-roots
    # 1.0.11, which is no longer available from crates.io, so a locked
    # install fails to resolve.
    run nice_cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --root "$TOOLS_ROOT"
    wasm_bindgen_ok || die "wasm-bindgen $WASM_BINDGEN_VERSION not usable after install"
    log "wasm-bindgen installed: $(wasm-bindgen --version)"
}

semver_checks_ok() {
    [[ -x "$TOOLS_ROOT/bin/cargo-semver-checks" ]] &&
        [[ "$("$TOOLS_ROOT/bin/cargo-semver-checks" semver-checks --version 2>/dev/null)" == *" $SEMVER_CHECKS_VERSION" ]]
}

install_semver_checks() {
    if semver_checks_ok; then
        log "cargo-semver-checks present: $SEMVER_CHECKS_VERSION"
        return 0
    fi
    need_cargo
    log "installing cargo-semver-checks $SEMVER_CHECKS_VERSION into $TOOLS_ROOT (slow: ~10 min on 2 cores)"
    mkdir -p "$TOOLS_ROOT"
    run nice_cargo install cargo-semver-checks --version "=$SEMVER_CHECKS_VERSION" --locked --root "$TOOLS_ROOT"
    semver_checks_ok || die "cargo-semver-checks $SEMVER_CHECKS_VERSION not usable after install"
}

install_msrv_toolchain() {
    [[ -n "$MSRV" ]] || die "no rust-version in Cargo.toml and MSRV unset"
    ensure_toolchain "$MSRV"
}

install_nightly() {
    ensure_toolchain "$NIGHTLY"
}

CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"

install_chromium() {
    if [[ -x "$CHROMIUM_BIN" ]]; then
        log "chromium present: $("$CHROMIUM_BIN" --version 2>/dev/null || echo '?')"
        return 0
    fi
    command -v apt-get >/dev/null 2>&1 ||
        die "$CHROMIUM_BIN missing and apt-get unavailable; install chromium and set CHROMIUM_BIN"
    log "installing chromium from apt"
    run as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    run as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
    [[ -x "$CHROMIUM_BIN" ]] || die "chromium not found at $CHROMIUM_BIN after install"
    log "chromium installed: $("$CHROMIUM_BIN" --version 2>/dev/null || echo '?')"
}

node_major() {
    command -v node >/dev/null 2>&1 || { echo 0; return; }
    node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

# playwright-core needs node >= 20. Debian 12 ships node 18, so if apt's node
# is too old, fetch an official node build from the npm registry
# (node-linux-<arch>) into $TOOLS_ROOT/node.
install_node() {
    if (( $(node_major) >= NODE_MIN_MAJOR )) && command -v npm >/dev/null 2>&1; then
        return 0
    fi
    if ! command -v npm >/dev/null 2>&1; then
        command -v apt-get >/dev/null 2>&1 || die "node/npm missing and apt-get unavailable"
        log "installing nodejs/npm from apt"
        run as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        run as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm
    fi
    if (( $(node_major) < NODE_MIN_MAJOR )); then
        local arch
        case "$(uname -m)" in
            x86_64) arch=x64 ;;
            aarch64) arch=arm64 ;;
            *) die "no node >= $NODE_MIN_MAJOR for $(uname -m)" ;;
        esac
        log "node $(node_major) too old; installing node-linux-$arch@22 into $TOOLS_ROOT/node"
        mkdir -p "$TOOLS_ROOT/node/bin"
        run npm install --no-audit --no-fund --prefix "$TOOLS_ROOT/node" "node-linux-$arch@22"
        ln -sf "$TOOLS_ROOT/node/node_modules/node-linux-$arch/bin/node" "$TOOLS_ROOT/node/bin/node"
        hash -r
        (( $(node_major) >= NODE_MIN_MAJOR )) || die "node >= $NODE_MIN_MAJOR still unavailable"
    fi
}

playwright_pinned_version() {
    sed -n 's/.*"playwright-core": *"\([^"]*\)".*/\1/p' "$BROWSER_TEST_DIR/package.json"
}

playwright_ok() {
    local want have
    want="$(playwright_pinned_version)"
    [[ -f "$BROWSER_TEST_DIR/node_modules/playwright-core/package.json" ]] || return 1
    have="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' \
        "$BROWSER_TEST_DIR/node_modules/playwright-core/package.json" | head -n1)"
    [[ -n "$want" && "$have" == "$want" ]]
}

install_playwright_core() {
    [[ -f "$BROWSER_TEST_DIR/package.json" ]] || die "missing $BROWSER_TEST_DIR/package.json"
    if playwright_ok; then
        log "playwright-core present: $(playwright_pinned_version)"
        return 0
    fi
    install_node
    log "installing playwright-core $(playwright_pinned_version) into $BROWSER_TEST_DIR/node_modules"
    if [[ -f "$BROWSER_TEST_DIR/package-lock.json" ]]; then
        (cd "$BROWSER_TEST_DIR" && run npm ci --no-audit --no-fund)
    else
        (cd "$BROWSER_TEST_DIR" && run npm install --no-audit --no-fund)
    fi
    playwright_ok || die "playwright-core not installed correctly"
}

# Per-tier install sets (also used by --install-only).
install_for_native() {
    install_step rustfmt+clippy install_native_components
    install_step "msrv($MSRV)" install_msrv_toolchain
    install_step nightly install_nightly
    install_step cargo-semver-checks install_semver_checks
}
install_for_conformance() { :; }
install_for_cpython() { :; }
install_for_wasi() {
    install_step wasi-targets install_wasi_targets
    install_step wasmtime install_wasmtime
}
install_for_browser() {
    install_step "browser-nightly($BROWSER_NIGHTLY)" install_browser_nightly
    install_step wasm32-unknown-unknown install_wasm_unknown_targets
    install_step chromium install_chromium
    install_step playwright-core install_playwright_core
    install_step wasm-bindgen install_wasm_bindgen
}
install_for_loom() { :; }
install_for_tsan() { install_step nightly+rust-src install_nightly_rust_src; }
install_for_stress() { :; }
# OpenMPI + libclang from apt (scripts/mpi.sh installs them itself too).
install_for_mpi() { bash "$REPO_ROOT/scripts/mpi.sh" --install-only; }
install_for_adversarial() { :; }

# --------------------------------------------------------------------------
# tiers (each runs in its own subshell with `set -e`; `skip` exits 77)
# --------------------------------------------------------------------------

tier_native() {
    install_for_native
    cd "$REPO_ROOT"
    run cargo fmt --all -- --check
    run cargo clippy --workspace --all-targets -- -D warnings
    run env RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps -q
    # Unit, integration and doc tests; the conformance package's tests have
    # their own tiers (conformance, cpython: release builds; adversarial).
    run cargo test --workspace --exclude conformance
    # The transpiler contract (docs/python-mapping.json) matches the code's
    # rustdoc JSON and CPython; regenerate with python3 scripts/python_mapping.py.
    run env NIGHTLY="$NIGHTLY" python3 scripts/python_mapping.py --check
    if has_package demos; then
        run cargo build --release -p demos
        run env DEMO_QUICK=1 cargo run --release -p demos
    else
        log "package 'demos' not in workspace yet; demo run skipped"
    fi
    native_publishable
}

# The library crates as crates.io would get them: packaged together (so the
# path dependencies resolve to each other) and verified (each is built from
# its own .crate); built with the MSRV; compared with the last release by
# cargo-semver-checks; and their doc coverage printed.
native_publishable() {
    local pkgs=() p
    for p in "${LIB_CRATES[@]}"; do
        if has_package "$p"; then pkgs+=(-p "$p"); fi
    done
    native_package "${pkgs[@]}"
    run cargo "+$MSRV" check "${pkgs[@]}"
    native_semver_check
    native_doc_coverage
}

# `cargo package` verifies each crate against the others, taken from a
# temporary registry: unpacked into $CARGO_HOME/registry/src/-<hash>/ and
# built like any registry dependency. Registry crates count as immutable
# (fingerprinted by version, not content), so a later run would reuse both
# the unpacked sources and the built crate of the same version: stale code.
# So verification builds in its own target dir whose pyrt-* fingerprints
# are dropped first (the other dependencies stay built), and each run
# removes what it unpacked.
native_package() {
    local home="${CARGO_HOME:-${HOME:-/root}/.cargo}" marker rc=0
    local dir="${CARGO_TARGET_DIR:-$REPO_ROOT/target}/package-verify"
    rm -rf "$dir"/debug/.fingerprint/pyrt-*
    marker="$(mktemp)"
    run cargo package "$@" --allow-dirty --target-dir "$dir" || rc=$?
    if [[ -d "$home/registry/src" ]]; then
        find "$home/registry/src" -mindepth 2 -maxdepth 2 -type d -name 'pyrt-*' \
            -newer "$marker" -exec rm -rf {} +
        find "$home/registry/src" -mindepth 1 -maxdepth 1 -type d -name '-*' -empty -delete
    fi
    rm -f "$marker"
    return "$rc"
}

# The commit of the last release (`vX.Y.Z`; see CHANGELOG.md), the first
# non-comment line of scripts/semver-baseline.
semver_baseline() {
    sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$REPO_ROOT/scripts/semver-baseline" | head -n1
}

native_semver_check() {
    local rev
    rev="$(semver_baseline)"
    [[ -n "$rev" ]] || die "scripts/semver-baseline names no commit"
    if ! git -C "$REPO_ROOT" cat-file -e "$rev^{commit}" 2>/dev/null; then
        # A shallow clone (CI) may lack it: fetch just that commit.
        log "semver: baseline $rev not in this clone; fetching it"
        git -C "$REPO_ROOT" fetch --quiet --depth=1 origin "$rev" 2>/dev/null ||
            git -C "$REPO_ROOT" fetch --quiet --unshallow 2>/dev/null || true
    fi
    if ! git -C "$REPO_ROOT" cat-file -e "$rev^{commit}" 2>/dev/null; then
        log "semver: SKIP: baseline commit $rev is not in this clone and could not be fetched"
        return 0
    fi
    # Only crates the release had: a crate new since then has no API to
    # break yet.
    local args=() p
    for p in "${LIB_CRATES[@]}"; do
        has_package "$p" || continue
        if git -C "$REPO_ROOT" grep -q "^name = \"$p\"" "$rev" -- '*Cargo.toml'; then
            args+=(-p "$p")
        else
            log "semver: $p is not in the baseline release; nothing to compare"
        fi
    done
    (( ${#args[@]} )) || { log "semver: no crate of the baseline release left"; return 0; }
    run cargo semver-checks check-release --baseline-rev "$rev" "${args[@]}"
}

# `--show-coverage` on both library crates (needs nightly), printed as
# "documented" and "with examples" totals, and scripts/doc_coverage.py's
# count, which also counts the methods of re-exported types.
native_doc_coverage() {
    local p lib out
    for p in pyrt-scheduler pyrt-executor; do
        lib="${p//-/_}"
        out="$(cargo "+$NIGHTLY" rustdoc -q -p "$p" -- -Z unstable-options --show-coverage)"
        awk -v p="$p" '/\| Total/ { gsub(/\|/, " "); printf "[test.sh] doc coverage %s: %s%% documented, %s%% with examples (rustdoc --show-coverage)\n", p, $3 + 0, $5 + 0 }' <<<"$out"
        cargo "+$NIGHTLY" rustdoc -q -p "$p" -- -Z unstable-options --output-format json
        printf '[test.sh] doc coverage '
        python3 "$REPO_ROOT/scripts/doc_coverage.py" "${CARGO_TARGET_DIR:-$REPO_ROOT/target}/doc/$lib.json"
    done
}

tier_conformance() {
    local s="$REPO_ROOT/conformance/run.sh"
    [[ -f "$s" ]] || skip "conformance/run.sh not present"
    cd "$REPO_ROOT"
    if [[ -x "$s" ]]; then run "$s"; else run bash "$s"; fi
}

# CPython 3.11's own tests, ported one by one (conformance/cpython/*.rs;
# what cannot apply is listed in conformance/cpython/SKIPPED.md).
tier_cpython() {
    cd "$REPO_ROOT"
    local args=() f
    for f in conformance/cpython/*.rs; do
        [[ $(basename "$f") == common.rs ]] && continue
        args+=(--test "cpython_$(basename "$f" .rs)")
    done
    (( ${#args[@]} )) || skip "no ported CPython tests"
    run cargo test -p conformance --release "${args[@]}"
}

tier_wasi() {
    install_for_wasi
    export WASMTIME="$TOOLS_ROOT/bin/wasmtime"
    local s="$REPO_ROOT/scripts/wasi.sh"
    [[ -f "$s" ]] || skip "scripts/wasi.sh not present (toolchain is ready)"
    cd "$REPO_ROOT"
    if [[ -x "$s" ]]; then run "$s"; else run bash "$s"; fi
}

tier_browser() {
    install_for_browser
    export BROWSER_NIGHTLY
    export CHROMIUM_BIN
    WASM_BINDGEN="$(command -v wasm-bindgen)"
    export WASM_BINDGEN
    export BROWSER_TEST_DIR
    export NODE_PATH="$BROWSER_TEST_DIR/node_modules${NODE_PATH:+:$NODE_PATH}"
    local s="$REPO_ROOT/scripts/browser.sh"
    [[ -f "$s" ]] || skip "scripts/browser.sh not present (toolchain is ready)"
    cd "$REPO_ROOT"
    if [[ -x "$s" ]]; then run "$s"; else run bash "$s"; fi
}

# loom_tests PKG : names of tests/loom*.rs integration tests of PKG.
loom_tests() {
    local dir f
    has_package "$1" || return 0
    dir="$(package_dir "$1")"
    for f in "$dir"/tests/loom*.rs; do
        [[ -f "$f" ]] && basename "$f" .rs
    done
    return 0
}

tier_loom() {
    cd "$REPO_ROOT"
    load_metadata
    local pkg t ran=0 args
    for pkg in pyrt-scheduler pyrt-executor; do
        args=()
        for t in $(loom_tests "$pkg"); do args+=(--test "$t"); done
        if (( ${#args[@]} == 0 )); then
            log "$pkg: no tests/loom*.rs; skipped"
            continue
        fi
        run env RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR="$REPO_ROOT/target/loom" \
            cargo test -p "$pkg" --release "${args[@]}"
        ran=1
    done
    (( ran )) || skip "no loom tests in scheduler or executor-api"
}

tier_tsan() {
    [[ -f "$REPO_ROOT/scripts/tsan.enabled" ]] || skip "scripts/tsan.enabled marker absent"
    install_for_tsan
    cd "$REPO_ROOT"
    local pkgs=() p
    for p in pyrt-scheduler pyrt-executor; do
        if has_package "$p"; then pkgs+=(-p "$p"); fi
    done
    (( ${#pkgs[@]} )) || skip "neither scheduler nor executor-api in workspace"
    local tsan_opts="${TSAN_OPTIONS:-}"
    if [[ -f "$REPO_ROOT/scripts/tsan.supp" ]]; then
        tsan_opts="suppressions=$REPO_ROOT/scripts/tsan.supp${tsan_opts:+ $tsan_opts}"
    fi
    run env RUSTFLAGS="-Zsanitizer=thread" RUSTDOCFLAGS="-Zsanitizer=thread" \
        CARGO_TARGET_DIR="$REPO_ROOT/target/tsan" TSAN_OPTIONS="$tsan_opts" \
        cargo "+$NIGHTLY" test -Zbuild-std --target "$(host_triple)" \
        "${pkgs[@]}" --lib --tests
    # Miri on the scheduler's unsafe code (stack jobs of join, scopes, install,
    # map_vec/try_map_vec, in place too): the pool tests that reach it, small
    # enough for miri (~1.5 min). Tree Borrows: crossbeam-epoch 0.9 itself violates the
    # stricter Stacked Borrows rules (internal.rs, `&*local_ptr`), not our code.
    # Leaks are ignored: worker threads are still parked when a test returns.
    if has_package pyrt-scheduler; then
        ensure_component "$NIGHTLY" miri
        run env MIRIFLAGS="-Zmiri-ignore-leaks -Zmiri-tree-borrows -Zmiri-permissive-provenance" \
            CARGO_TARGET_DIR="$REPO_ROOT/target/miri" \
            cargo "+$NIGHTLY" miri test -p pyrt-scheduler --test pool -- \
            join_resumes_a_panic scope_tasks_borrow map_vec_keeps_order try_map_vec \
            nested_scopes a_pool_without_threads
        # ... the parallel iterators' unsafe code (collect writing into
        # uninitialised slots, owned Vec items moved out, the merge sort's
        # buffers, a panicking comparison): fewer sizes under miri (~7 min).
        run env MIRIFLAGS="-Zmiri-ignore-leaks -Zmiri-tree-borrows -Zmiri-permissive-provenance" \
            CARGO_TARGET_DIR="$REPO_ROOT/target/miri" \
            cargo "+$NIGHTLY" miri test -p pyrt-scheduler --test par_iter -- \
            map_and_collect_keep_order owned_items_are_dropped_exactly_once \
            chunks_iter_mut_and_for_each par_sort_and_par_sort_by_key_are_stable \
            a_panicking_comparison
    fi
    # ... and on executor-api's (future.rs: the closure's UnsafeCell, a
    # future queued as its own heap job, run, cancelled or dropped unrun).
    if has_package pyrt-executor; then
        run env MIRIFLAGS="-Zmiri-ignore-leaks -Zmiri-tree-borrows -Zmiri-permissive-provenance" \
            CARGO_TARGET_DIR="$REPO_ROOT/target/miri" \
            cargo "+$NIGHTLY" miri test -p pyrt-executor --test futures -- \
            submit_and_result_like nested_submit_result cancel_succeeds_only \
            add_done_callback_runs_once standalone_futures a_panicking_task_becomes \
            shutdown_with_cancel_futures
        # ... and the bounded queue's ring (queue/ring.rs: slots of
        # `UnsafeCell<MaybeUninit<T>>` written and read across threads,
        # handed over by `close`, dropped with the ring; ~20 s).
        run env MIRIFLAGS="-Zmiri-ignore-leaks -Zmiri-tree-borrows -Zmiri-permissive-provenance" \
            CARGO_TARGET_DIR="$REPO_ROOT/target/miri" \
            cargo "+$NIGHTLY" miri test -p pyrt-executor --lib queue::
    fi
}

has_example() {
    local pkg=$1 ex=$2 dir
    has_package "$pkg" || return 1
    dir="$(package_dir "$pkg")"
    [[ -f "$dir/examples/$ex.rs" || -f "$dir/examples/$ex/main.rs" ]] ||
        grep -Eq "^[[:space:]]*name[[:space:]]*=[[:space:]]*\"$ex\"" "$dir/Cargo.toml" 2>/dev/null
}

tier_stress() {
    cd "$REPO_ROOT"
    load_metadata
    has_example pyrt-scheduler stress || skip "scheduler has no 'stress' example"
    run cargo run --release -p pyrt-scheduler --example stress -- --quick
}

# pyrt-mpi under mpirun: tests twice (shared memory, loopback TCP), a killed
# rank, the demo's checksum (scripts/mpi.sh).
tier_mpi() {
    cd "$REPO_ROOT"
    run bash scripts/mpi.sh
}

# Adversarial probes (conformance/adversarial/<topic>.rs, each registered in
# conformance/Cargo.toml as test target adversarial_<topic>; what each one
# proves: docs/reliability.md): every target in release mode three times,
# the third with every core loaded by a spinning helper process, so that
# a probe that only passes on an idle machine fails here.
adversarial_tests() {
    sed -n 's/^name *= *"\(adversarial_[A-Za-z0-9_]*\)".*/\1/p' "$REPO_ROOT/conformance/Cargo.toml"
}

tier_adversarial() {
    cd "$REPO_ROOT"
    local args=() t
    for t in $(adversarial_tests); do args+=(--test "$t"); done
    (( ${#args[@]} )) || skip "no adversarial_* test targets in conformance/Cargo.toml"
    run cargo test -p conformance --release "${args[@]}" --no-run
    run cargo test -p conformance --release "${args[@]}"
    run cargo test -p conformance --release "${args[@]}"
    local spinners=() i n rc=0
    n="$(nproc 2>/dev/null || echo 2)"
    (( n >= 2 )) || n=2
    for ((i = 0; i < n; i++)); do
        sh -c 'while :; do :; done' &
        spinners+=("$!")
    done
    # The spinners die with this tier, whatever happens to it.
    trap 'kill "${spinners[@]}" 2>/dev/null || true' EXIT
    log "adversarial: third run with $n spinning helper processes"
    run cargo test -p conformance --release "${args[@]}" || rc=$?
    kill "${spinners[@]}" 2>/dev/null || true
    wait "${spinners[@]}" 2>/dev/null || true
    trap - EXIT
    return "$rc"
}

# --------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------

usage() {
    sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

is_tier() {
    local t
    for t in "${ALL_TIERS[@]}"; do [[ "$t" == "$1" ]] && return 0; done
    return 1
}

main() {
    local install_only=0 tiers=() a
    for a in "$@"; do
        case "$a" in
            --install-only) install_only=1 ;;
            --list) printf '%s\n' "${ALL_TIERS[@]}"; return 0 ;;
            -h|--help) usage; return 0 ;;
            -*) die "unknown flag: $a (see --help)" ;;
            *) is_tier "$a" || die "unknown tier: $a (tiers: ${ALL_TIERS[*]})"; tiers+=("$a") ;;
        esac
    done
    (( ${#tiers[@]} )) || tiers=("${ALL_TIERS[@]}")

    if (( install_only )); then
        local t
        for t in "${tiers[@]}"; do
            banner "install: $t"
            "install_for_$t"
        done
        log "install-only finished for: ${tiers[*]}"
        return 0
    fi

    local t rc t0 dt status failed=0
    local -a summary=()
    for t in "${tiers[@]}"; do
        banner "tier: $t"
        t0=$SECONDS
        set +e
        ( set -e; "tier_$t" )
        rc=$?
        set -e
        dt=$((SECONDS - t0))
        case $rc in
            0) status=PASS ;;
            "$SKIP_RC") status=SKIP ;;
            *) status=FAIL; failed=1; log "tier $t FAILED (exit $rc)" ;;
        esac
        [[ "${CI:-}" == "true" ]] && log "tier $t: $status in ${dt}s"
        summary+=("$(printf '%-12s %-4s %5ss' "$t" "$status" "$dt")")
    done

    banner "summary"
    printf '%s\n' "${summary[@]}"
    if (( failed )); then
        log "some tiers FAILED"
        return 1
    fi
    log "all selected tiers passed or were skipped"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    main "$@"
fi
