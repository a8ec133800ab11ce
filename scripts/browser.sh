#!/usr/bin/env bash
# The browser build, its static server, and its end-to-end tests.
#
#   scripts/browser.sh build          build the wasm modules and assemble the site
#   scripts/browser.sh serve [--no-isolation] [PORT]
#                                     build, then serve the demo on 127.0.0.1 (default 8000);
#                                     --no-isolation leaves out COOP/COEP: the page then runs
#                                     in the messages mode (no shared memory)
#   scripts/browser.sh test           clippy, build, then drive headless Chromium through
#                                     the demo checks (both modes) and executor-api's tests
#
# The site (target/browser/site) is plain ES modules, no bundler:
#   pyrt/   worker-bootstrap/js: the page API, the host, the worker and program entries
#   demo/   demos/browser/www + pkg/ (wasm-bindgen --target web of browser-demo)
#           + pkg-messages/ (the same without atomics, for the messages mode)
#   suite/  tools/browser-test/suite/index.html + pkg/ (browser-suite)
#
# The wasm is built with a pinned nightly, BROWSER_NIGHTLY (default
# nightly-2026-10-29; scripts/test.sh says why): shared memory needs std
# rebuilt with atomics (-Z build-std), and panics unwind (wasm exception
# handling) so a panicking task becomes a PanicException instead of killing
# its worker. `scripts/test.sh browser` installs what this needs (that nightly
# with rust-src, clippy and the target, wasm-bindgen-cli, Chromium,
# playwright-core) before calling it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
export PATH="${TOOLS_ROOT:-$HOME/.cache/pyrt-tools}/bin:$PATH"
NIGHTLY="${BROWSER_NIGHTLY:-nightly-2026-10-29}"
WASM_BINDGEN="${WASM_BINDGEN:-wasm-bindgen}"
TARGET_DIR="$ROOT/target/browser"
SITE="$TARGET_DIR/site"
OUT="$TARGET_DIR/wasm32-unknown-unknown/release"

# Shared memory that a Web Worker can be handed (--shared-memory,
# --import-memory, the TLS exports wasm-bindgen's thread start uses), and
# unwinding panics (+exception-handling, panic=unwind).
RUSTFLAGS_WEB="-C target-feature=+atomics,+bulk-memory,+exception-handling -C panic=unwind \
-C link-arg=--shared-memory -C link-arg=--max-memory=1073741824 -C link-arg=--import-memory \
-C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size \
-C link-arg=--export=__tls_align -C link-arg=--export=__tls_base"

web_cargo() {
  RUSTFLAGS="$RUSTFLAGS_WEB" CARGO_TARGET_DIR="$TARGET_DIR" \
    cargo "+$NIGHTLY" "$1" --release --target wasm32-unknown-unknown \
    -Z build-std=panic_unwind,std "${@:2}"
}

# The messages build, for pages that are not cross-origin isolated: no
# atomics and no shared memory (each Web Worker instantiates the module
# with its own memory; the scheduler has no threads there: the "none"
# spawner), panics still unwind. Its own target directory: the flags differ.
MSG_TARGET_DIR="$ROOT/target/browser-messages"
MSG_OUT="$MSG_TARGET_DIR/wasm32-unknown-unknown/release"
RUSTFLAGS_MESSAGES="-C target-feature=+bulk-memory,+exception-handling -C panic=unwind"

messages_cargo() {
  RUSTFLAGS="$RUSTFLAGS_MESSAGES" CARGO_TARGET_DIR="$MSG_TARGET_DIR" \
    cargo "+$NIGHTLY" "$1" --release --target wasm32-unknown-unknown \
    -Z build-std=panic_unwind,std "${@:2}"
}

# Clippy on the code only the browser build compiles (the Web Worker
# spawner, the wasm exports), which the native clippy run cannot see.
lint() {
  echo "[browser] clippy for wasm32-unknown-unknown"
  web_cargo clippy -p pyrt-scheduler -p pyrt-executor -p pyrt-worker-bootstrap \
    -p browser-demo -p browser-suite -- -D warnings
  echo "[browser] clippy for wasm32-unknown-unknown without atomics (messages mode)"
  messages_cargo clippy -p pyrt-worker-bootstrap -p browser-demo -- -D warnings
}

build() {
  echo "[browser] building browser-demo and browser-suite for wasm32-unknown-unknown ($NIGHTLY)"
  web_cargo build -p browser-demo -p browser-suite
  echo "[browser] building browser-demo without atomics (messages mode)"
  messages_cargo build -p browser-demo
  rm -rf "$SITE"
  mkdir -p "$SITE/pyrt" "$SITE/demo" "$SITE/suite"
  cp worker-bootstrap/js/*.js "$SITE/pyrt/"
  cp -r demos/browser/www/. "$SITE/demo/"
  cp tools/browser-test/suite/index.html "$SITE/suite/"
  "$WASM_BINDGEN" --target web --out-dir "$SITE/demo/pkg" "$OUT/browser_demo.wasm"
  "$WASM_BINDGEN" --target web --out-dir "$SITE/demo/pkg-messages" "$MSG_OUT/browser_demo.wasm"
  "$WASM_BINDGEN" --target web --out-dir "$SITE/suite/pkg" "$OUT/browser_suite.wasm"
  printf '<!doctype html><meta http-equiv="refresh" content="0; url=demo/">\n' >"$SITE/index.html"
  echo "[browser] site assembled in $SITE"
}

case "${1:-test}" in
  build)
    build
    ;;
  serve)
    # A person may run this first on a fresh machine: install what the build
    # needs (idempotent; quick when present).
    (
      # shellcheck source=scripts/test.sh
      source scripts/test.sh
      install_browser_nightly
      install_wasm_unknown_targets
      install_wasm_bindgen
    )
    build
    isolation=()
    if [[ "${2:-}" == "--no-isolation" ]]; then
      isolation=(--no-isolation)
      shift
    fi
    exec python3 scripts/serve.py "${isolation[@]}" "$SITE" "${2:-8000}"
    ;;
  test)
    lint
    build
    # The native demo's checksum for the same (full) image: the browser must match it.
    expected=$(DEMO_QUICK=0 cargo run -q --release -p demos --bin wasi_demo | sed -n 's/^checksum: //p')
    echo "[browser] native checksum: $expected"
    # Two servers on the same site: one with COOP/COEP (threads mode), one
    # without (messages mode).
    servers=()
    trap 'kill "${servers[@]}" 2>/dev/null || true' EXIT
    serve_bg() { # LOG [--no-isolation]: starts a server, prints its URL
      python3 scripts/serve.py "${@:2}" "$SITE" 0 >"$1" 2>&1 &
      servers+=($!)
      for _ in $(seq 1 50); do
        grep -q '^serving' "$1" && break
        sleep 0.1 # allow-sleep: polling a log for the server's first line
      done
    }
    serve_bg "$TARGET_DIR/serve.log"
    serve_bg "$TARGET_DIR/serve-messages.log" --no-isolation
    url=$(sed -n 's/^serving .* at \([^ ]*\).*/\1/p' "$TARGET_DIR/serve.log")
    url_messages=$(sed -n 's/^serving .* at \([^ ]*\).*/\1/p' "$TARGET_DIR/serve-messages.log")
    [[ -n "$url" && -n "$url_messages" ]] || {
      cat "$TARGET_DIR"/serve*.log
      echo "[browser] a server did not start"
      exit 1
    }
    node tools/browser-test/run.mjs "$url" "$expected" "$TARGET_DIR/browser-demo.png" \
      "$TARGET_DIR/browser-results.json" "$url_messages"
    # Kept per run for the README's table (scripts/browser_table.py).
    mkdir -p "$TARGET_DIR/runs"
    cp "$TARGET_DIR/browser-results.json" "$TARGET_DIR/runs/$(date -u +%Y%m%dT%H%M%SZ).json"
    ;;
  *)
    sed -n '2,8p' "$0"
    exit 2
    ;;
esac
