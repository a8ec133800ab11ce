//! Runs every `cases/<name>.py` with python3 and its Rust twin, and fails on
//! any difference in their output (all differences are reported together).

use std::path::Path;
use std::process::Command;

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("runs");
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        s.push_str(&format!(
            "\n<exit {:?}>\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    s
}

#[test]
fn every_python_program_and_its_rust_twin_print_the_same() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "py").then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    assert!(names.len() >= 40, "the corpus has {} cases", names.len());
    let twins = run(Command::new(env!("CARGO_BIN_EXE_conformance")).arg("--list"));
    let mut failures = Vec::new();
    for name in &names {
        if !twins.lines().any(|l| l == name) {
            failures.push(format!("{name}: no Rust twin"));
            continue;
        }
        let py = run(Command::new("python3").arg(dir.join(format!("{name}.py"))));
        let rs = run(Command::new(env!("CARGO_BIN_EXE_conformance")).arg(name));
        if py != rs {
            failures.push(format!(
                "{name}: outputs differ\n--- python3\n{py}--- rust\n{rs}"
            ));
        }
    }
    for twin in twins.lines() {
        if !names.iter().any(|n| n == twin) {
            failures.push(format!("{twin}: Rust twin without a Python program"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
