//! `conformance <case>` runs one Rust twin of `cases/<case>.py`;
//! `conformance --list` names them all.

mod cases;
mod py;

fn main() {
    let arg = std::env::args().nth(1).unwrap_or_default();
    if arg == "--list" {
        for (name, _) in cases::ALL {
            println!("{name}");
        }
        return;
    }
    match cases::ALL.iter().find(|(name, _)| *name == arg) {
        Some((_, run)) => run(),
        None => {
            eprintln!("unknown case {arg:?}; try --list");
            std::process::exit(2);
        }
    }
}
