#!/usr/bin/env bash
# The conformance tier: every Python program in cases/ against its Rust twin.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec cargo test -p conformance --release
