//! `docs/python-mapping.json` names a Rust path for every Python API; this
//! checks that each path exists in `executor-api`'s source (module by
//! module, then the item and method definitions), and that the Markdown
//! table lists every entry. Its `exceptions` section (read from CPython by
//! `scripts/python_mapping.py`) must match `PyClass`'s tree.

use std::path::{Path, PathBuf};

fn rs_files(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        for e in std::fs::read_dir(p).unwrap() {
            rs_files(&e.unwrap().path(), out);
        }
    } else if p.extension().is_some_and(|e| e == "rs") {
        out.push(p.to_path_buf());
    }
}

/// True if `src` defines a public item or function named `name`.
fn defines(src: &str, name: &str) -> bool {
    ["fn", "struct", "enum", "type", "const", "trait"]
        .iter()
        .any(|kind| {
            let pat = format!("pub {kind} {name}");
            src.match_indices(&pat).any(|(i, _)| {
                src[i + pat.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| !(c.is_alphanumeric() || c == '_'))
            })
        })
}

fn check(path: &str, src_root: &Path) -> Result<(), String> {
    let mut segs = path.split("::");
    if segs.next() != Some("executor_api") {
        return Err(format!("{path}: not under executor_api"));
    }
    let segs: Vec<&str> = segs.collect();
    let mut module = src_root.to_path_buf();
    let mut i = 0;
    while i < segs.len() {
        let dir = module.join(segs[i]);
        let file = module.join(format!("{}.rs", segs[i]));
        if dir.is_dir() {
            module = dir;
        } else if file.is_file() {
            module = file;
        } else {
            break;
        }
        i += 1;
    }
    let items = &segs[i..];
    let mut files = Vec::new();
    rs_files(&module, &mut files);
    let src: String = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    match items {
        [] => Ok(()),
        [name] if defines(&src, name) => Ok(()),
        [ty, method] if defines(&src, ty) && defines(&src, method) => Ok(()),
        _ => Err(format!("{path}: not found in {}", module.display())),
    }
}

#[test]
fn every_mapped_rust_path_exists_and_the_table_lists_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let json = std::fs::read_to_string(root.join("docs/python-mapping.json")).unwrap();
    let md = std::fs::read_to_string(root.join("docs/python-mapping.md")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let entries = doc["apis"].as_array().unwrap();
    assert!(entries.len() >= 90, "{} entries", entries.len());
    let src_root = root.join("executor-api/src");
    let mut errors = Vec::new();
    for e in entries {
        let python = e["python"].as_str().unwrap();
        let rust = e["rust"].as_str().unwrap();
        if let Err(msg) = check(rust, &src_root) {
            errors.push(msg);
        }
        if !md.contains(&format!("`{python}`")) {
            errors.push(format!("{python}: missing from python-mapping.md"));
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn the_checker_rejects_what_does_not_exist() {
    let src_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../executor-api/src");
    assert!(check("executor_api::threading::Lock::acquire", &src_root).is_ok());
    assert!(check("executor_api::threading::Lock::no_such_method", &src_root).is_err());
    assert!(check("executor_api::threading::NoSuchType", &src_root).is_err());
}

/// The last path segment of a JSON `rust` field.
fn variant(e: &serde_json::Value, key: &str) -> String {
    e[key]
        .as_str()
        .unwrap()
        .rsplit("::")
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn the_exceptions_section_is_pyclass_tree() {
    use executor_api::{PyClass, PyException};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let json = std::fs::read_to_string(root.join("docs/python-mapping.json")).unwrap();
    let md = std::fs::read_to_string(root.join("docs/python-mapping.md")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let entries = doc["exceptions"].as_array().unwrap();
    let class_of = |e: &serde_json::Value| -> PyClass {
        let name = variant(e, "rust");
        PyClass::BUILTINS
            .iter()
            .find(|c| format!("{c:?}") == name)
            .unwrap_or_else(|| panic!("no PyClass::{name}"))
            .clone()
    };
    let by_python = |spelling: &str| -> PyClass {
        class_of(
            entries
                .iter()
                .find(|e| e["python"] == spelling)
                .unwrap_or_else(|| panic!("base {spelling} is not listed")),
        )
    };
    let mut errors = Vec::new();
    for e in entries {
        let class = class_of(e);
        let python = e["python"].as_str().unwrap();
        if class.name() != e["name"] || class.module() != e["module"] {
            errors.push(format!(
                "{python}: {}.{} in Rust",
                class.module(),
                class.name()
            ));
        }
        let base = e["base"].as_str().map(by_python);
        if class.base() != base {
            errors.push(format!(
                "{python}: base {:?} in Rust, {base:?} in CPython",
                class.base()
            ));
        }
        let raised = format!("{:?}", PyException::with_class(class.clone(), "m"));
        let want = variant(e, "raised_as");
        if !raised.starts_with(&format!("{want}(")) && !raised.starts_with(&format!("{want} {{")) {
            errors.push(format!("{python}: raised as {raised}, listed as {want}"));
        }
        if !md.contains(&format!("`{python}`")) {
            errors.push(format!("{python}: missing from python-mapping.md"));
        }
    }
    for class in PyClass::BUILTINS {
        let listed = entries.iter().filter(|e| class_of(e) == *class).count();
        if listed != 1 {
            errors.push(format!("{class}: listed {listed} times"));
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
