"""The public API of a crate, read from rustdoc's JSON output (nightly:
`cargo +nightly rustdoc -p CRATE --lib -- -Z unstable-options
--output-format json`), and Rust text for its items: the signature as
rustdoc would show it, and the `fn` pointer type a check can assign the
item to, with concrete example types put in for the generics.

Used by scripts/python_mapping.py; knows only rustdoc's format (version
FORMAT_VERSIONS), nothing about Python.
"""

import json
import subprocess

# The rustdoc JSON format versions this reader was written against; a
# newer nightly may still work (the parts read here rarely change).
FORMAT_VERSIONS = range(53, 60)

# std items spelled by their short name in the generated check, and where
# the check imports them from (rustdoc gives their private definition path).
STD_IMPORTS = {
    "Option": None, "Result": None, "String": None, "Vec": None, "Box": None,
    "Send": None, "Sync": None, "Fn": None, "FnMut": None, "FnOnce": None,
    "Into": None, "From": None, "Iterator": None, "IntoIterator": None,
    "Clone": None, "Default": None, "Sized": None, "PartialEq": None, "PartialOrd": None,
    "Ord": None, "Eq": None, "Copy": None, "Drop": None, "ToString": None,
    "AsRef": None, "Debug": "std::fmt::Debug", "Display": "std::fmt::Display",
    "Duration": "std::time::Duration", "Arc": "std::sync::Arc",
    "MutexGuard": "std::sync::MutexGuard", "Mutex": "std::sync::Mutex",
    "HashMap": "std::collections::HashMap", "VecDeque": "std::collections::VecDeque",
    "Hash": "std::hash::Hash", "Any": "std::any::Any", "Cow": "std::borrow::Cow",
    "Future": "std::future::Future", "Pin": "std::pin::Pin", "ExitCode": "std::process::ExitCode",
    "Ordering": "std::cmp::Ordering", "Formatter": "std::fmt::Formatter",
    "Error": "std::error::Error", "ErrorKind": "std::io::ErrorKind",
    "Context": "std::task::Context", "Poll": "std::task::Poll",
    "UnwindSafe": "std::panic::UnwindSafe", "RefUnwindSafe": "std::panic::RefUnwindSafe",
}


# The `subst` key whose value replaces `impl Trait` types (a function of the bounds).
IMPL_HOOK = "\0impl"


def build_json(root, crate, toolchain="nightly"):
    """Runs rustdoc for `crate`'s library and returns the JSON file's path."""
    subprocess.run(["cargo", f"+{toolchain}", "rustdoc", "-q", "-p", crate, "--lib", "--",
                    "-Z", "unstable-options", "--output-format", "json"], cwd=root, check=True)
    meta = json.loads(subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                                     cwd=root, check=True, capture_output=True, text=True).stdout)
    lib = next(t["name"] for p in meta["packages"] if p["name"] == crate
               for t in p["targets"] if "lib" in t["kind"])
    return f"{meta['target_directory']}/doc/{lib}.json"


class Api:
    """One crate's public items by path, and Rust text for them."""

    def __init__(self, path):
        self.doc = json.load(open(path))
        version = self.doc["format_version"]
        if version not in FORMAT_VERSIONS:
            print(f"warning: rustdoc JSON format {version}, written for {FORMAT_VERSIONS}")
        self.index = {int(k): v for k, v in self.doc["index"].items()}
        self.paths = {int(k): v for k, v in self.doc["paths"].items()}
        self.crates = {int(k): v["name"] for k, v in self.doc["external_crates"].items()}
        self.crate = self.index[self.doc["root"]]["name"]
        self.public = {}  # item id -> shortest public path (a list of names)
        self.by_path = {}  # "crate::a::B" -> item id
        self._walk(self.doc["root"], [self.crate])
        self.std_used = set()

    # -- the public tree -------------------------------------------------

    def _walk(self, module_id, prefix):
        for child in self.index[module_id]["inner"]["module"]["items"]:
            item = self.index.get(child)
            if item is None or item["visibility"] != "public":
                continue
            kind, inner = next(iter(item["inner"].items()))
            if kind == "use":
                target = inner["id"]
                if target is None or target not in self.index:
                    continue
                if inner["is_glob"]:
                    self._walk(target, prefix)
                    continue
                self._add(target, prefix + [inner["name"]])
            else:
                self._add(child, prefix + [item["name"]])

    def _add(self, item_id, path):
        item = self.index[item_id]
        key = "::".join(path)
        self.by_path.setdefault(key, item_id)
        if item_id not in self.public or self._better(item_id, path, self.public[item_id]):
            self.public[item_id] = path
        if "module" in item["inner"] and len(path) < 8:
            self._walk(item_id, path)

    def _better(self, item_id, new, old):
        """Shorter paths win; between equals, the one nearer the definition
        (threading::Lock over its re-export multiprocessing::Lock)."""
        if len(new) != len(old):
            return len(new) < len(old)
        home = self.paths.get(item_id, {}).get("path", [])
        common = lambda p: next((i for i, (a, b) in enumerate(zip(p, home)) if a != b), min(len(p), len(home)))
        return common(new) > common(old)

    def kind(self, item_id):
        return next(iter(self.index[item_id]["inner"]))

    def inner(self, item_id):
        return self.index[item_id]["inner"][self.kind(item_id)]

    def members(self, type_id):
        """(name, item id, impl id) of the inherent methods, associated
        consts and public fields of a struct, enum or trait."""
        kind, inner = self.kind(type_id), self.inner(type_id)
        out = []
        if kind == "trait":
            return [(self.index[i]["name"], i, None) for i in inner["items"]]
        if kind == "struct" and "plain" in inner["kind"]:
            for f in inner["kind"]["plain"]["fields"]:
                if self.index[f]["visibility"] == "public":
                    out.append((self.index[f]["name"], f, None))
        for impl_id in inner.get("impls", []):
            impl = self.inner(impl_id)
            if impl["trait"] is None:
                for i in impl["items"]:
                    if self.index[i]["visibility"] == "public":
                        out.append((self.index[i]["name"], i, impl_id))
        return out

    def trait_impls(self, type_id):
        """Names of the traits the type implements (not blanket or auto)."""
        out = set()
        for impl_id in self.inner(type_id).get("impls", []):
            impl = self.inner(impl_id)
            if impl["trait"] and not impl["is_synthetic"] and not impl["blanket_impl"]:
                out.add(impl["trait"]["path"].rsplit("::", 1)[-1])
        return out

    def resolve(self, path):
        """What a Rust path names: (item id, owner type id or None, impl id
        or None, alias type JSON or None)."""
        if path in self.by_path:
            return self.by_path[path], None, None, None
        owner_path, _, member = path.rpartition("::")
        owner = self.by_path.get(owner_path)
        if owner is None:
            raise KeyError(f"{path}: no such public item")
        alias = None
        if self.kind(owner) == "type_alias":
            alias = self.inner(owner)["type"]
            owner = alias["resolved_path"]["id"]
        for name, item_id, impl_id in self.members(owner):
            if name == member:
                return item_id, owner, impl_id, alias
        raise KeyError(f"{path}: {owner_path} has no public member {member}")

    # -- Rust text ---------------------------------------------------------

    def type_path(self, ref, qualified):
        """The spelling of a resolved path's item."""
        item_id = ref["id"]
        if item_id in self.public:
            return "::".join(self.public[item_id]) if qualified else self.public[item_id][-1]
        info = self.paths.get(item_id)
        if info is None:
            return ref["path"]
        crate = self.crates.get(info["crate_id"], self.crate)
        name = info["path"][-1]
        if info["crate_id"] == 0:
            raise KeyError(f"{'::'.join(info['path'])} is used in the public API but is not public")
        if crate in ("std", "core", "alloc"):
            if name not in STD_IMPORTS:
                raise KeyError(f"std item {'::'.join(info['path'])}: add it to STD_IMPORTS")
            self.std_used.add(name)
            return name
        return "::".join([crate] + info["path"][1:]) if qualified else name

    def ty(self, t, q=False, subst=None):
        """A type as Rust text; `q`: fully qualified paths; `subst`: generic
        name -> text."""
        subst = subst or {}
        r = lambda x: self.ty(x, q, subst)
        (kind, v), = t.items() if isinstance(t, dict) else [(t, None)]
        if kind == "resolved_path":
            return self.type_path(v, q) + self.args(v.get("args"), q, subst)
        if kind == "generic":
            return subst.get(v, v)
        if kind == "primitive":
            return v
        if kind == "borrowed_ref":
            lt = f"{v['lifetime']} " if v["lifetime"] else ""
            inner = r(v["type"])
            if inner.startswith(("dyn ", "impl ")) and " + " in inner:
                inner = f"({inner})"
            return f"&{lt}{'mut ' if v['is_mutable'] else ''}{inner}"
        if kind == "raw_pointer":
            return f"*{'mut' if v['is_mutable'] else 'const'} {r(v['type'])}"
        if kind == "tuple":
            inner = ", ".join(r(x) for x in v)
            return f"({inner},)" if len(v) == 1 else f"({inner})"
        if kind == "slice":
            return f"[{r(v)}]"
        if kind == "array":
            return f"[{r(v['type'])}; {v['len']}]"
        if kind == "infer":
            return "_"
        if kind == "impl_trait":
            # An `fn` pointer cannot say `impl Trait`: the caller decides
            # what stands in for it (an example type, or `_` for a return).
            hook = subst.get(IMPL_HOOK)
            return hook(v) if hook else "impl " + self.bounds(v, q, subst)
        if kind == "dyn_trait":
            parts = [self.poly_trait(p, q, subst) for p in v["traits"]]
            if v.get("lifetime"):
                parts.append(v["lifetime"])
            return "dyn " + " + ".join(parts)
        if kind == "function_pointer":
            return self.fn_ptr_type(v["sig"], q, subst, v.get("generic_params", []))
        if kind == "qualified_path":
            self_ty = r(v["self_type"])
            if v.get("trait"):
                trait = self.type_path(v["trait"], q) + self.args(v["trait"].get("args"), q, subst)
                return f"<{self_ty} as {trait}>::{v['name']}"
            return f"{self_ty}::{v['name']}"
        raise ValueError(f"unknown rustdoc type {kind}")

    def args(self, a, q, subst):
        if not a:
            return ""
        if "parenthesized" in a:
            p = a["parenthesized"]
            out = f"({', '.join(self.ty(x, q, subst) for x in p['inputs'])})"
            if p["output"]:
                out += f" -> {self.ty(p['output'], q, subst)}"
            return out
        ab = a["angle_bracketed"]
        parts = []
        for x in ab["args"]:
            if x == "infer":
                parts.append("_")
            elif "type" in x:
                parts.append(self.ty(x["type"], q, subst))
            elif "lifetime" in x:
                parts.append(x["lifetime"])
            elif "const" in x:
                parts.append(x["const"]["expr"])
        for c in ab.get("constraints", []):
            b = c["binding"]
            if "equality" in b:
                term = b["equality"]
                parts.append(f"{c['name']} = {self.ty(term['type'], q, subst) if 'type' in term else term}")
            else:
                parts.append(f"{c['name']}: {self.bounds(b['constraint'], q, subst)}")
        return f"<{', '.join(parts)}>" if parts else ""

    def poly_trait(self, p, q, subst):
        hr = ""
        if p.get("generic_params"):
            hr = f"for<{', '.join(g['name'] for g in p['generic_params'])}> "
        return hr + self.type_path(p["trait"], q) + self.args(p["trait"].get("args"), q, subst)

    def bounds(self, bounds, q=False, subst=None):
        out = []
        for b in bounds:
            if "trait_bound" in b:
                tb = b["trait_bound"]
                m = {"maybe": "?", "maybe_const": "~const "}.get(tb.get("modifier"), "")
                out.append(m + self.poly_trait(tb, q, subst))
            elif "outlives" in b:
                out.append(b["outlives"])
        return " + ".join(out)

    def fn_ptr_type(self, sig, q, subst, generic_params=()):
        inputs = ", ".join(self.ty(t, q, subst) for _, t in sig["inputs"])
        out = f"fn({inputs})"
        if sig["output"] is not None:
            out += f" -> {self.ty(sig['output'], q, subst)}"
        lts = [g["name"] for g in generic_params if "lifetime" in g["kind"]]
        return (f"for<{', '.join(lts)}> " if lts else "") + out

    def signature(self, fn_id, self_name=None):
        """`pub fn name<G>(inputs) -> Output where ...` as rustdoc shows it
        (with `Self` spelled `self_name` when given)."""
        subst = {"Self": self_name} if self_name else {}
        item = self.index[fn_id]
        f = self.inner(fn_id)
        gens = [g for g in f["generics"]["params"] if not g["kind"].get("type", {}).get("is_synthetic")]
        g_text = ""
        if gens:
            parts = []
            for g in gens:
                k = g["kind"]
                if "type" in k and k["type"]["bounds"]:
                    parts.append(f"{g['name']}: {self.bounds(k['type']['bounds'], False, subst)}")
                elif "const" in k:
                    parts.append(f"const {g['name']}: {self.ty(k['const']['type'], False, subst)}")
                else:
                    parts.append(g["name"])
            g_text = f"<{', '.join(parts)}>"
        ins = []
        for name, t in f["sig"]["inputs"]:
            if name == "self":
                ins.append(self.receiver(t))
            else:
                ins.append(f"{name}: {self.ty(t, False, subst)}")
        out = f"pub fn {item['name']}{g_text}({', '.join(ins)})"
        if f["sig"]["output"] is not None:
            out += f" -> {self.ty(f['sig']['output'], False, subst)}"
        preds = []
        for p in f["generics"]["where_predicates"]:
            if "bound_predicate" in p:
                bp = p["bound_predicate"]
                preds.append(f"{self.ty(bp['type'], False, subst)}: {self.bounds(bp['bounds'], False, subst)}")
        if preds:
            out += " where " + ", ".join(preds)
        return out

    def receiver(self, t):
        """`self`, `&self`, `&mut self` (or `self: T`) for a method's first input."""
        if t == {"generic": "Self"}:
            return "self"
        if "borrowed_ref" in t and t["borrowed_ref"]["type"] == {"generic": "Self"}:
            return "&mut self" if t["borrowed_ref"]["is_mutable"] else "&self"
        return f"self: {self.ty(t)}"

    def generic_bounds(self, generics):
        """Generic type parameter name -> its bounds (inline and where)."""
        out = {}
        for g in generics["params"]:
            if "type" in g["kind"]:
                out.setdefault(g["name"], []).extend(g["kind"]["type"]["bounds"])
        for p in generics["where_predicates"]:
            bp = p.get("bound_predicate")
            if bp and "generic" in bp["type"]:
                out.setdefault(bp["type"]["generic"], []).extend(bp["bounds"])
        return out
