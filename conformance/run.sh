#!/usr/bin/env bash
# The conformance tier: every Python program in cases/ against its Rust twin.
# Every test target of the package except the adversarial probes
# (adversarial_*), which have their own tier (scripts/test.sh adversarial:
# three runs, one of them with every core loaded), and CPython's ported
# tests (cpython_*), which are the cpython tier.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
args=(--bins)
for f in conformance/tests/*.rs; do
    args+=(--test "$(basename "$f" .rs)")
done
for t in $(sed -n 's/^name *= *"\([A-Za-z0-9_]*\)".*/\1/p' conformance/Cargo.toml); do
    case "$t" in
        conformance | adversarial_* | cpython_*) ;;
        *) args+=(--test "$t") ;;
    esac
done
exec cargo test -p conformance --release "${args[@]}"
