#!/usr/bin/env python3
"""A static file server for the browser demo and tests, on 127.0.0.1.

It sends the two headers that make a page cross-origin isolated, which
SharedArrayBuffer (wasm's shared memory, hence Web Worker threads) needs:
`Cross-Origin-Opener-Policy: same-origin` and
`Cross-Origin-Embedder-Policy: require-corp`. No HTTPS is needed on
127.0.0.1.

With `--no-isolation` it sends neither header: the page is then not
cross-origin isolated (as on a static host that cannot set headers) and
the runtime starts in its messages mode (worker-bootstrap/js/pool.js).

Usage: scripts/serve.py [--no-isolation] DIR [PORT]   (PORT 0 picks a free one)
Prints `serving DIR at http://127.0.0.1:PORT/ (isolated|not isolated)` once
it listens.
"""

import functools
import http.server
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
    }

    isolation = True

    def end_headers(self):
        if self.isolation:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, fmt, *args):
        pass


def main():
    args = sys.argv[1:]
    isolated = "--no-isolation" not in args
    args = [a for a in args if a != "--no-isolation"]
    if not args:
        sys.exit(__doc__)
    root = args[0]
    port = int(args[1]) if len(args) > 1 else 8000
    Handler.isolation = isolated
    handler = functools.partial(Handler, directory=root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    mode = "isolated" if isolated else "not isolated"
    print(f"serving {root} at http://127.0.0.1:{server.server_port}/ ({mode})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
