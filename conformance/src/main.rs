//! `conformance <case>` runs one Rust twin of `cases/<case>.py` as a
//! translated program, under `run_main` (so it ends as CPython's does);
//! `conformance --list` names them all.

mod cases;
mod py;

use std::process::ExitCode;

fn main() -> ExitCode {
    let arg = std::env::args().nth(1).unwrap_or_default();
    if arg == "--list" {
        for name in cases::ALL
            .iter()
            .map(|c| c.0)
            .chain(cases::MAINS.iter().map(|c| c.0))
        {
            println!("{name}");
        }
        return ExitCode::SUCCESS;
    }
    if let Some((_, run)) = cases::ALL.iter().find(|(name, _)| *name == arg) {
        return executor_api::run_main(run);
    }
    if let Some((_, run)) = cases::MAINS.iter().find(|(name, _)| *name == arg) {
        return executor_api::run_main(run);
    }
    eprintln!("unknown case {arg:?}; try --list");
    ExitCode::from(2)
}
