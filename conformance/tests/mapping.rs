//! Checks of the transpiler contract, `docs/python-mapping.json`, that need
//! only stable Rust: the file is valid against its JSON Schema
//! (`docs/python-mapping.schema.json`); every Rust item it maps has its line
//! in the generated signature check (`tests/mapping_signatures.rs`, which
//! fails to compile when a signature drifts); the Markdown lists every
//! entry; the example consumer (`tools/contract_consumer.py`) still emits
//! the Rust that `tests/contract_consumer.rs` compiles; and its
//! `exceptions` section (read from CPython by `scripts/python_mapping.py`)
//! matches `PyClass`'s tree. That the JSON matches the code's rustdoc is
//! `python3 scripts/python_mapping.py --check` (nightly; the native tier).

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn contract() -> serde_json::Value {
    serde_json::from_str(&read("docs/python-mapping.json")).unwrap()
}

#[test]
fn the_contract_is_valid_against_its_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&read("docs/python-mapping.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let doc = contract();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // And the schema rejects what it should: an unknown kind, a missing reason.
    let mut bad = doc.clone();
    bad["apis"][0]["kind"] = "klass".into();
    assert!(!validator.is_valid(&bad));
    let mut bad = doc;
    let missing = bad["apis"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["status"] == "missing")
        .expect("some API is missing");
    missing.as_object_mut().unwrap().remove("reason");
    assert!(!validator.is_valid(&bad));
}

#[test]
fn every_mapped_item_is_in_the_signature_check_and_the_table() {
    let doc = contract();
    let checks = read("conformance/tests/mapping_signatures.rs");
    let md = read("docs/python-mapping.md");
    let entries = doc["apis"].as_array().unwrap();
    assert!(entries.len() >= 200, "{} entries", entries.len());
    let mut errors = Vec::new();
    for e in entries {
        let python = e["python"].as_str().unwrap();
        let missing = e["status"] == "missing";
        let row = if missing {
            format!("| `{python}` |")
        } else {
            format!("| `{python}` (")
        };
        if !md.contains(&row) {
            errors.push(format!("{python}: missing from python-mapping.md"));
        }
        if missing {
            continue;
        }
        let items = std::iter::once(&e["rust"]).chain(e["also"].as_array().into_iter().flatten());
        for item in items {
            if let Some(ptr) = item["fn_pointer"].as_str() {
                if !checks.contains(&format!("let _: {ptr} = ")) {
                    errors.push(format!("{python}: {ptr} is not checked"));
                }
            }
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn the_example_consumer_emits_what_the_consumer_test_compiles() {
    let out = std::process::Command::new("python3")
        .arg(root().join("tools/contract_consumer.py"))
        .arg("--stdout")
        .output()
        .expect("python3 runs the example consumer");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let emitted = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        emitted,
        read("conformance/tests/contract_consumer.rs"),
        "stale: run python3 tools/contract_consumer.py"
    );
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
