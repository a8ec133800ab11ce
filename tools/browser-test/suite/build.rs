//! Turns executor-api's (and the scheduler's `par_iter`) integration-test
//! files into a test registry.
//!
//! `cargo test` cannot run on `wasm32-unknown-unknown` (libtest's output and
//! exit code go nowhere there), so this build script copies each file listed
//! in [`FILES`] into `OUT_DIR` with its `#[test]` attributes removed and its
//! inner doc comments turned into plain comments, and writes `registry.rs`:
//! one entry per test, with the test's `#[cfg]`s and whether it
//! `#[should_panic]` or is `#[ignore]`d. The test bodies are the very same
//! code the native suite runs, with one rewrite: `std::thread::spawn(` and
//! `std::thread::scope(` become `crate::threads::…` (the same API on Web
//! Workers; std has no threads on `wasm32-unknown-unknown`).

use std::fmt::Write as _;
use std::path::Path;

/// The executor-api test files the browser runs (`executor-api/tests/*.rs`).
///
/// `multiprocessing`, `pool` (and `par_iter` below) need a nightly newer than
/// 1.97.0-nightly 2026-05-19, whose LLVM crashed (rustc SIGSEGV) building
/// them for wasm32 with atomics and exception handling: the browser tier
/// builds with `BROWSER_NIGHTLY` (scripts/test.sh).
const FILES: &[&str] = &[
    "futures",
    "queue",
    "channels",
    "asyncio",
    "threading",
    "multiprocessing",
    "pool",
];

/// The scheduler test files the browser runs (`scheduler/tests/*.rs`).
const SCHEDULER_FILES: &[&str] = &["par_iter"];

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let files = FILES
        .iter()
        .map(|f| ("executor-api", f))
        .chain(SCHEDULER_FILES.iter().map(|f| ("scheduler", f)));
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let mut registry =
        String::from("pub(crate) fn all() -> Vec<crate::Test> {\n    let mut v = Vec::new();\n");
    for (dir, file) in files {
        let path = root.join(dir).join("tests").join(format!("{file}.rs"));
        println!("cargo::rerun-if-changed={}", path.display());
        let src = std::fs::read_to_string(&path).unwrap();
        let mut body = String::new();
        let mut attrs: Vec<String> = Vec::new();
        for line in src.lines() {
            let line = &line
                .replace("std::thread::spawn(", "crate::threads::spawn(")
                .replace("std::thread::scope(", "crate::threads::scope(");
            let t = line.trim_start();
            if let Some(rest) = t.strip_prefix("//!") {
                writeln!(body, "//{rest}").unwrap();
                continue;
            }
            assert!(
                !t.starts_with("#!["),
                "{file}.rs: inner attributes cannot be included"
            );
            if line.starts_with("#[") {
                attrs.push(line.to_string());
                if line.trim() != "#[test]" {
                    body.push_str(line);
                }
                body.push('\n');
                continue;
            }
            if attrs.iter().any(|a| a.trim() == "#[test]") {
                let name = line
                    .strip_prefix("fn ")
                    .and_then(|r| r.split('(').next())
                    .unwrap_or_else(|| panic!("{file}.rs: a #[test] not followed by `fn`: {line}"));
                let cfgs: Vec<&String> = attrs.iter().filter(|a| a.starts_with("#[cfg")).collect();
                let panics = attrs.iter().any(|a| a.starts_with("#[should_panic"));
                let ignored = attrs.iter().any(|a| a.starts_with("#[ignore"));
                for c in cfgs {
                    writeln!(registry, "    {c}").unwrap();
                }
                writeln!(
                    registry,
                    "    v.push(crate::Test {{ name: \"{file}::{name}\", should_panic: {panics}, ignored: {ignored}, run: || crate::outcome(crate::{file}::{name}()) }});"
                )
                .unwrap();
                // Reachable from the registry module.
                body.push_str("pub(crate) ");
            }
            attrs.clear();
            body.push_str(line);
            body.push('\n');
        }
        std::fs::write(out.join(format!("{file}.rs")), body).unwrap();
    }
    registry.push_str("    v\n}\n");
    std::fs::write(out.join("registry.rs"), registry).unwrap();
}
