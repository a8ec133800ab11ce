//! Runs every `cases/<name>.py` with python3 and its Rust twin, and fails on
//! any difference in their stdout or exit status (all differences are
//! reported together). A case whose first line is `# compare: stderr` must
//! print the same stderr too; for the others stderr is only shown.

use std::path::Path;
use std::process::Command;

/// What a program did.
struct Outcome {
    stdout: String,
    status: Option<i32>,
    stderr: String,
}

impl Outcome {
    fn show(&self) -> String {
        format!(
            "{}<exit {:?}>\n{}",
            self.stdout,
            self.status,
            if self.stderr.is_empty() {
                String::new()
            } else {
                format!("<stderr>\n{}", self.stderr)
            }
        )
    }
}

fn run(cmd: &mut Command) -> Outcome {
    let out = cmd.output().expect("runs");
    Outcome {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        status: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
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
    let twins = run(Command::new(env!("CARGO_BIN_EXE_conformance")).arg("--list")).stdout;
    let mut failures = Vec::new();
    for name in &names {
        if !twins.lines().any(|l| l == name) {
            failures.push(format!("{name}: no Rust twin"));
            continue;
        }
        let script = dir.join(format!("{name}.py"));
        let compare_stderr = std::fs::read_to_string(&script)
            .unwrap()
            .lines()
            .next()
            .is_some_and(|l| l.trim() == "# compare: stderr");
        let py = run(Command::new("python3").arg(&script));
        let rs = run(Command::new(env!("CARGO_BIN_EXE_conformance")).arg(name));
        let same = py.stdout == rs.stdout
            && py.status == rs.status
            && (!compare_stderr || py.stderr == rs.stderr);
        if !same {
            failures.push(format!(
                "{name}: outputs differ{}\n--- python3\n{}--- rust\n{}",
                if compare_stderr {
                    " (stderr compared)"
                } else {
                    ""
                },
                py.show(),
                rs.show()
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
