"""Turns the hand-written mapping rows of scripts/python_mapping.py into
contract entries: the Python side read from CPython 3.11 (`inspect`), the
Rust side from rustdoc's JSON (scripts/rustdoc_api.py), and a Rust check
that assigns every mapped item to a `fn` pointer of its signature.

The rows say only what the code cannot: which Python API maps to which
Rust item, how each Python parameter is passed, what is raised, notes.
"""

import importlib
import inspect
import re

from rustdoc_api import IMPL_HOOK

CRATE = "pyrt_executor"


class ContractError(Exception):
    pass


# -- the Python side ------------------------------------------------------

def resolve_python(qualname):
    """The CPython object a dotted name names, or None. Factories whose
    result is the class (`threading.Lock()`) are followed to that class."""
    parts = qualname.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            nxt = getattr(obj, name, None)
            if nxt is None and callable(obj) and not inspect.isclass(obj):
                try:
                    nxt = getattr(type(obj()), name, None)
                except Exception:
                    return None
            if nxt is None:
                return None
            obj = nxt
        return obj
    return None


def python_kind(qualname, obj):
    if obj is None:
        return None
    if inspect.isclass(obj):
        return "class"
    parent = resolve_python(qualname.rpartition(".")[0])
    if inspect.ismodule(parent):
        return "function" if callable(obj) else "constant"
    if isinstance(obj, (property,)) or inspect.isdatadescriptor(obj) or inspect.isgetsetdescriptor(obj):
        return "attribute"
    if callable(obj):
        return "method"
    return "attribute"


def python_params(qualname, obj, sig_text):
    """[(name, default text or None, kind)] without `self`, and the
    signature text; from `sig_text` when given, else from CPython."""
    short = qualname.rsplit(".", 1)[-1]
    if sig_text is None:
        if obj is None or not callable(obj):
            return [], None
        try:
            sig = inspect.signature(obj)
        except (TypeError, ValueError):
            raise ContractError(f"{qualname}: CPython gives no signature; write sig=")
        text = f"{short}{sig}".replace("(self, /, ", "(").replace("(self, ", "(").replace("(self)", "()")
    else:
        text = sig_text
    if "(" not in text:
        return [], text
    inner = text[text.index("(") + 1:text.rindex(")")]
    out, kind = [], "positional_or_keyword"
    for part in split_top(inner):
        part = part.strip()
        if part in ("", "self"):
            continue
        if part == "/":
            out = [(n, d, "positional_only") for n, d, _ in out]
            continue
        if part == "*":
            kind = "keyword_only"
            continue
        if part.startswith("**"):
            out.append((part[2:], None, "var_keyword"))
            continue
        if part.startswith("*"):
            out.append((part[1:], None, "var_positional"))
            kind = "keyword_only"
            continue
        name, _, default = part.partition("=")
        out.append((name.strip(), default.strip() or None, kind))
    return out, text


def split_top(s):
    """Splits on commas outside brackets and quotes."""
    parts, depth, cur, quote = [], 0, "", None
    for c in s:
        if quote:
            quote = None if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        cur += c
    parts.append(cur)
    return parts


# -- example types for generics --------------------------------------------

def free_generics(t, out=None):
    out = set() if out is None else out
    if isinstance(t, dict):
        if "generic" in t and len(t) == 1:
            out.add(t["generic"])
        for v in t.values():
            free_generics(v, out)
    elif isinstance(t, list):
        for v in t:
            free_generics(v, out)
    return out


def example_for(api, bounds, subst):
    """A concrete type meeting `bounds` (rendered with `subst`), or None if
    it needs generics not decided yet."""
    if free_generics(bounds) - set(subst):
        return None
    for b in bounds:
        tb = b.get("trait_bound")
        if not tb:
            continue
        name = tb["trait"]["path"].rsplit("::", 1)[-1]
        args = tb["trait"].get("args") or {}
        if name in ("Fn", "FnMut", "FnOnce") and "parenthesized" in args:
            p = args["parenthesized"]
            ins = ", ".join(api.ty(x, True, subst) for x in p["inputs"])
            out = api.ty(p["output"], True, subst) if p["output"] else "()"
            return f"fn({ins}) -> {out}"
        ab = args.get("angle_bracketed", {})
        first = [api.ty(a["type"], True, subst) for a in ab.get("args", []) if "type" in a]
        item = [api.ty(c["binding"]["equality"]["type"], True, subst)
                for c in ab.get("constraints", []) if c["name"] in ("Item", "Output")
                and "equality" in c["binding"]]
        if name == "IntoPyResult":
            return first[0]
        if name == "Into":
            return first[0]
        if name == "IntoIterator":
            return f"Vec<{item[0] if item else 'u64'}>"
        if name == "Iterator":
            return f"std::vec::IntoIter<{item[0] if item else 'u64'}>"
        if name == "Future":
            return f"std::future::Ready<{item[0] if item else 'u64'}>"
        if name == "Truthy":
            return "bool"
        if name == "Spawner":
            return None
    return "u64"


def decide_generics(api, generics_list, subst, overrides, where):
    """Fills `subst` with an example type for every generic type parameter
    of the given generics (impl's, then the function's)."""
    bounds = {}
    for g in generics_list:
        for name, bs in api.generic_bounds(g).items():
            bounds.setdefault(name, []).extend(bs)
    for name in list(bounds):
        if name in overrides:
            subst[name] = overrides[name]
    todo = [n for n in bounds if n not in subst]
    for _ in range(len(todo) + 1):
        for name in list(todo):
            ex = example_for(api, bounds[name], subst)
            if ex is not None:
                subst[name] = ex
                todo.remove(name)
    if todo:
        raise ContractError(f"{where}: give example types for {todo} (examples=)")


# -- the Rust side -------------------------------------------------------------

def rust_item(api, path, overrides, trait=None):
    """Everything the contract says about one Rust path, and the line of the
    generated check that proves it."""
    try:
        item_id, owner, impl_id, alias = api.resolve(path)
    except KeyError as e:
        raise ContractError(str(e))
    kind = api.kind(item_id)
    subst = {}
    gens = []
    self_ty = None
    alias_id = None
    if owner is not None:
        owner_kind = api.kind(owner)
        owner_generics = api.inner(owner)["generics"]
        if alias is not None:
            alias_id = api.by_path[path.rpartition("::")[0]]
            decide_generics(api, [api.inner(alias_id)["generics"]], subst, overrides, path)
            self_ty = api.ty(alias, True, subst)
            impl_args = (api.inner(impl_id)["for"]["resolved_path"].get("args") or {}) if impl_id else {}
            if impl_args:
                for i, a in enumerate(impl_args["angle_bracketed"]["args"]):
                    g = a.get("type", {}).get("generic")
                    if g:
                        subst[g] = api.ty(alias["resolved_path"]["args"]["angle_bracketed"]["args"][i]["type"], True, subst)
        elif owner_kind == "trait":
            self_ty = overrides.get("Self")
            if self_ty is None:
                raise ContractError(f"{path}: a trait method needs examples={{'Self': ...}}")
            decide_generics(api, [owner_generics], subst, overrides, path)
        else:
            if impl_id is not None:
                gens.append(api.inner(impl_id)["generics"])
            else:
                gens.append(owner_generics)
            decide_generics(api, gens, subst, overrides, path)
            names = [g["name"] for g in owner_generics["params"] if "type" in g["kind"]]
            owner_path = "::".join(api.public[owner])
            if impl_id is not None:
                impl_for = api.inner(impl_id)["for"]
                self_ty = api.ty(impl_for, True, subst)
            else:
                self_ty = owner_path + (f"<{', '.join(subst.get(n, 'u64') for n in names)}>" if names else "")
        subst["Self"] = self_ty
    out = {"path": path, "item": kind if kind != "struct_field" else "field", "_ids": {item_id, owner, alias_id}}
    if owner is not None and kind == "function":
        out["item"] = "method"
    human = {}
    if owner is not None and api.kind(owner) != "trait":
        names = [g["name"] for g in api.inner(owner)["generics"]["params"] if "type" in g["kind"]]
        human["Self"] = api.public[owner][-1] + (f"<{', '.join(names)}>" if names else "")
    if kind == "function":
        f = api.inner(item_id)
        decide_generics(api, [f["generics"]], subst, overrides, path)
        out["signature"] = api.signature(item_id, human.get("Self"))
        inputs = f["sig"]["inputs"]
        if inputs and inputs[0][0] == "self":
            out["receiver"] = api.receiver(inputs[0][1])
        arg_subst = dict(subst)
        arg_subst[IMPL_HOOK] = lambda bounds: example_for(api, bounds, subst) or "_"
        ret_subst = dict(subst)
        ret_subst[IMPL_HOOK] = lambda bounds: "_"
        fn_in = ", ".join(api.ty(t, True, arg_subst) for _, t in inputs)
        fn_out = api.ty(f["sig"]["output"], True, ret_subst) if f["sig"]["output"] else None
        lts = [g["name"] for g in f["generics"]["params"] if "lifetime" in g["kind"]]
        ptr = (f"for<{', '.join(lts)}> " if lts else "") + f"fn({fn_in})" + (f" -> {fn_out}" if fn_out else "")
        out["inputs"] = [{"name": n, "rust_type": api.ty(t, False, human)} for n, t in inputs]
        out["returns"] = api.ty(f["sig"]["output"], False, human) if f["sig"]["output"] else "()"
        expr = f"<{self_ty}>::{api.index[item_id]['name']}" if owner is not None else path
        if owner is not None and api.kind(owner) == "trait":
            expr = f"<{self_ty} as {'::'.join(api.public[owner])}>::{api.index[item_id]['name']}"
        # The function's own type parameters, as the contract instantiates them.
        own = [g["name"] for g in f["generics"]["params"]
               if "type" in g["kind"] and not g["kind"]["type"]["is_synthetic"]]
        if own:
            expr += f"::<{', '.join(subst[n] for n in own)}>"
        out["check"] = f"let _: {ptr} = {expr};"
        out["fn_pointer"] = ptr
    elif kind == "struct_field":
        t = api.inner(item_id)
        out["rust_type"] = api.ty(t)
        out["check"] = (f"let _: fn(&{self_ty}) -> &{api.ty(t, True, subst)} = "
                        f"|x| &x.{api.index[item_id]['name']};")
    elif kind in ("constant", "assoc_const", "static"):
        inner = api.inner(item_id)
        t = inner["type"]
        out["rust_type"] = api.ty(t)
        expr = path if owner is None else f"<{self_ty}>::{api.index[item_id]['name']}"
        out["check"] = f"let _: {api.ty(t, True, subst)} = {expr};"
    elif kind in ("struct", "enum", "type_alias", "trait"):
        generics = api.inner(item_id)["generics"]
        decide_generics(api, [generics], subst, overrides, path)
        names = [g["name"] for g in generics["params"] if "type" in g["kind"]]
        lts = [g for g in generics["params"] if "lifetime" in g["kind"]]
        args = ["'static" for _ in lts] + [subst[n] for n in names]
        ty = path + (f"<{', '.join(args)}>" if args else "")
        out["signature"] = f"pub {kind.replace('type_alias', 'type')} {api.index[item_id]['name']}"
        if names or lts:
            out["signature"] += f"<{', '.join([g['name'] for g in lts] + names)}>"
        if kind == "type_alias":
            out["signature"] += f" = {api.ty(api.inner(item_id)['type'])}"
        if trait:
            if trait.rsplit("::", 1)[-1] not in api.trait_impls(item_id if kind != "type_alias" else
                                                                api.inner(item_id)["type"]["resolved_path"]["id"]):
                raise ContractError(f"{path}: does not implement {trait}")
            out["item"] = "trait_impl"
            out["trait"] = trait
            if trait.rsplit("::", 1)[-1] == "Drop":
                out["check"] = f"assert!(std::mem::needs_drop::<{ty}>());"
            else:
                out["check"] = f"{{ fn has<X: {trait} + ?Sized>() {{}} has::<{ty}>(); }}"
        elif kind == "trait":
            out["check"] = f"let _: Option<&dyn {ty}> = None;" if overrides.get("dyn") else f"{{ fn has<X: {ty} + ?Sized>() {{}} has::<{overrides['Self']}>(); }}"
        else:
            out["check"] = f"let _: Option<{ty}> = None;"
    else:
        raise ContractError(f"{path}: a {kind} cannot be mapped")
    examples = {k: v for k, v in subst.items() if k != IMPL_HOOK and k != "Self"}
    if examples:
        out["generic_examples"] = examples
    return out


def short_ptr(text):
    """A fully qualified `fn` pointer type with this crate's paths shortened
    to their last segment, for people."""
    return re.sub(rf"\b{CRATE}::(?:[a-z_][a-z0-9_]*::)*", "", text)
