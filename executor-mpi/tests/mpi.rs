//! The checks of `tests/common` in one MPI job: run it under `mpirun`
//! (`scripts/test.sh mpi` does, `mpirun -n 3 --oversubscribe target/.../mpi-…`).
//! Every rank runs this binary; rank 0 runs the checks and prints
//! `N passed, M failed`; the others serve until rank 0 shuts down, then
//! return. A watchdog ends a hung job with a message and exit status 2.
//!
//! `PYRT_MPI_TEST=kill_rank` instead submits a call that kills the rank
//! running it (SIGKILL) and waits for it: `mpirun` must end the whole job
//! with a message and a non-zero status (the script checks that).

mod common;

use pyrt_executor::PyResult;
use pyrt_mpi::{MpiCommExecutor, Registry, RemoteFn};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

const WATCHDOG: Duration = Duration::from_secs(300);

fn main() {
    std::thread::spawn(|| {
        std::thread::sleep(WATCHDOG); // allow-sleep: the watchdog's whole job is to wait this long
        eprintln!("mpi test: hung, no result after {WATCHDOG:?}");
        std::process::exit(2);
    });
    match run() {
        Ok(0) => {}
        Ok(_) => std::process::exit(1),
        Err(e) => {
            eprintln!("mpi test: {e}");
            std::process::exit(1);
        }
    }
}

fn build(r: &mut Registry) {
    common::build(r);
    let _: RemoteFn<(), ()> = r.register("die", |_: ()| {
        let me = std::process::id().to_string();
        let _ = std::process::Command::new("kill")
            .args(["-9", &me])
            .status();
    });
}

/// The number of failed checks (0 on the serving ranks).
fn run() -> PyResult<usize> {
    let mut registry = Registry::new();
    build(&mut registry);
    let threads = std::env::var("PYRT_MPI_THREADS")
        .ok()
        .and_then(|v| v.parse().ok());
    let Some(ex) = MpiCommExecutor::builder()
        .threads_per_rank(threads.or(Some(2)))
        .start(registry)?
    else {
        return Ok(0);
    };
    if std::env::var("PYRT_MPI_TEST").as_deref() == Ok("kill_rank") {
        let die = ex.function::<(), ()>("die")?;
        let f = ex.submit(&die, ())?;
        // mpirun ends the job before this returns.
        let r = f.result(None);
        eprintln!("mpi test: the killed rank's call returned {r:?}: the job should have ended");
        return Ok(1);
    }
    println!(
        "mpi test: {} ranks, {} workers x threads = {}",
        ex.size(),
        ex.num_workers(),
        ex.max_workers()
    );
    let mut failed = 0;
    let mut passed = 0;
    let checks = common::CHECKS.iter().copied().chain([(
        "shutdown_closes_submissions",
        common::shutdown_closes_submissions as common::Check,
    )]);
    for (name, check) in checks {
        match catch_unwind(AssertUnwindSafe(|| check(&ex))) {
            Ok(Ok(())) => {
                passed += 1;
                println!("test {name} ... ok");
            }
            Ok(Err(e)) => {
                failed += 1;
                println!("test {name} ... FAILED: {e}");
            }
            Err(_) => {
                failed += 1;
                println!("test {name} ... FAILED (panicked, see above)");
            }
        }
    }
    println!("per rank: {:?}", ex.stats());
    drop(ex);
    println!("{passed} passed, {failed} failed");
    Ok(failed)
}
