#!/usr/bin/env python3
"""Counts the public API items of a crate that have a doc example.

Usage: scripts/doc_coverage.py target/doc/CRATE.json [--list]

Reads rustdoc's JSON output (`cargo +nightly rustdoc -p PKG -- -Z
unstable-options --output-format json`) and walks the crate's public
surface from its root: modules, re-exports, and the types, functions and
traits they name, with the methods of the types' inherent impls and the
traits' own methods. `--show-coverage` counts methods only where a type is
defined in a public module, so for a crate that re-exports its types from
private modules it misses most methods; this count does not.

An item "has an example" when its docs contain a fenced code block. Prints
one line: `CRATE: N public items, D documented, E with examples (P%)`;
`--list` also lists the items without an example.
"""

import json
import sys

COUNTED = {"function", "struct", "enum", "trait", "union"}


def main() -> int:
    path = sys.argv[1]
    listing = "--list" in sys.argv[2:]
    data = json.load(open(path))
    index = data["index"]
    root = index[str(data["root"])]
    seen = set()
    items = []  # (path, has docs, has example)

    def docs_of(item):
        return item.get("docs") or ""

    def visit(item_id, prefix):
        key = str(item_id)
        if key in seen or key not in index:
            return
        seen.add(key)
        item = index[key]
        if item["crate_id"] != 0:
            return
        kind, inner = next(iter(item["inner"].items()))
        name = item.get("name") or ""
        here = f"{prefix}::{name}" if prefix else name
        if kind == "module":
            for child in inner["items"]:
                visit(child, here)
            return
        if kind == "use":
            if inner.get("id") is not None:
                target = index.get(str(inner["id"]))
                if target and next(iter(target["inner"])) == "module":
                    visit(inner["id"], prefix)  # a re-exported module
                else:
                    visit(inner["id"], prefix)
            return
        if kind not in COUNTED:
            return
        docs = docs_of(item)
        items.append((here, bool(docs.strip()), "```" in docs))
        children = []
        if kind in ("struct", "enum", "union"):
            for impl_id in inner.get("impls", []):
                imp = index.get(str(impl_id))
                if not imp or imp["crate_id"] != 0:
                    continue
                imp_inner = imp["inner"]["impl"]
                if imp_inner.get("trait") is not None or imp_inner.get("is_synthetic"):
                    continue
                children.extend(imp_inner["items"])
        elif kind == "trait":
            children.extend(inner["items"])
        for child in children:
            c = index.get(str(child))
            if not c or "function" not in c["inner"]:
                continue
            if kind != "trait" and c["visibility"] != "public":
                continue
            cdocs = docs_of(c)
            items.append((f"{here}::{c['name']}", bool(cdocs.strip()), "```" in cdocs))

    visit(data["root"], "")
    total = len(items)
    documented = sum(1 for _, d, _ in items if d)
    examples = sum(1 for _, _, e in items if e)
    pct = 100.0 * examples / total if total else 100.0
    print(
        f"{root['name']}: {total} public items, {documented} documented, "
        f"{examples} with examples ({pct:.1f}%)"
    )
    if listing:
        for name, _, e in sorted(items):
            if not e:
                print(f"  no example: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
