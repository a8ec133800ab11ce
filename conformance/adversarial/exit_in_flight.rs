//! Claim: a program that ends with work in flight ends as CPython's does,
//! never hangs and loses no accepted call. This binary (`harness = false`)
//! re-runs itself with `EXIT_PROBE=<scenario>`, where `main` is a
//! translated program under `run_main`, and checks the child's stdout and
//! exit status under a watchdog that kills a hung child.
//!
//! * `queued`: four executors with 10 000 calls queued from four threads, a
//!   daemon thread blocked forever, and a non-daemon thread that submits
//!   until it is refused, when `main` returns. CPython's exit
//!   (`threading._shutdown`: the executors' `_python_exit` first, then the
//!   non-daemon threads, then `atexit`) runs every accepted call, refuses
//!   later submits with `RuntimeError: cannot schedule new futures after
//!   interpreter shutdown` (or `after shutdown`, once a worker flagged
//!   its executor), does not wait for the daemon thread, and exits
//!   0; the `atexit` handler sees every accepted call done.
//! * `sys_exit`: `sys.exit(3)` while calls run and more are queued: the
//!   same, with status 3.
//! * `uncaught`: an uncaught exception with calls in flight: they all run,
//!   the exception's line is printed, status 1.

use std::io::Read;
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use executor_api::concurrent::futures::ThreadPoolExecutor;
use executor_api::threading::{main_thread, Event, Thread};
use executor_api::{atexit, run_main, sys, PyException, PyResult};

const WATCHDOG: Duration = Duration::from_secs(60);
const PER_THREAD: usize = 2_500;

static RAN: AtomicUsize = AtomicUsize::new(0);
static ACCEPTED: AtomicUsize = AtomicUsize::new(0);

/// Work in flight: 4 executors, 4 threads each queuing `PER_THREAD` calls
/// on all of them (counted as accepted), a daemon thread blocked forever,
/// a non-daemon thread submitting until refused; prints the refusal and,
/// from `atexit`, the counts.
fn in_flight() -> PyResult<()> {
    let exs: Vec<ThreadPoolExecutor> = (0..4)
        .map(|_| ThreadPoolExecutor::new(Some(2)))
        .collect::<PyResult<_>>()?;
    let feeders: Vec<Thread> = (0..4)
        .map(|t| {
            let exs = exs.clone();
            Thread::new(move || -> PyResult<()> {
                for i in 0..PER_THREAD {
                    exs[(t + i) % 4].submit(|| {
                        // A little work, so that much is still queued at exit.
                        std::hint::black_box((0..200u64).sum::<u64>());
                        RAN.fetch_add(1, Ordering::SeqCst);
                    })?;
                    ACCEPTED.fetch_add(1, Ordering::SeqCst);
                }
                Ok(())
            })
        })
        .collect();
    for f in &feeders {
        f.start()?;
    }
    for f in &feeders {
        f.join(None)?;
    }
    let forever = Event::new();
    let daemon = Thread::builder().daemon(Some(true)).build(move || {
        forever.wait(None);
    });
    daemon.start()?;
    let late_ex = exs[0].clone();
    let late = Thread::builder()
        .daemon(Some(false))
        .build(move || -> PyResult<()> {
            main_thread().join(None)?;
            loop {
                match late_ex.submit(|| {
                    RAN.fetch_add(1, Ordering::SeqCst);
                }) {
                    Ok(_) => {
                        ACCEPTED.fetch_add(1, Ordering::SeqCst);
                    }
                    Err(e) => {
                        println!("late: {e}");
                        return Ok(());
                    }
                }
            }
        });
    late.start()?;
    atexit::register(|| {
        let (ran, accepted) = (RAN.load(Ordering::SeqCst), ACCEPTED.load(Ordering::SeqCst));
        println!(
            "atexit: ran == accepted: {}, at least 10000: {}",
            ran == accepted,
            accepted >= 4 * PER_THREAD
        );
    });
    Ok(())
}

fn queued() -> PyResult<()> {
    in_flight()?;
    println!("main returns");
    Ok(())
}

fn sys_exit() -> PyResult<()> {
    in_flight()?;
    Err(sys::exit(3))
}

fn uncaught() -> PyResult<()> {
    in_flight()?;
    Err(PyException::ValueError("bad".into()))
}

type Body = fn() -> PyResult<()>;

const SCENARIOS: &[(&str, Body)] = &[
    ("queued", queued),
    ("sys_exit", sys_exit),
    ("uncaught", uncaught),
];

/// CPython says either: `after interpreter shutdown` until a worker of the
/// executor has seen the exit and flagged its executor, `after shutdown`
/// from then on (`_worker` sets `executor._shutdown`); the probe accepts
/// both.
const LATE: &str = "late: RuntimeError: cannot schedule new futures after shutdown\n";
const COUNTS: &str = "atexit: ran == accepted: true, at least 10000: true\n";

/// Runs scenario `name` in a child; its (stdout, stderr, status), or an
/// error if it hung.
fn run_child(name: &str) -> Result<(String, String, Option<i32>), String> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env("EXIT_PROBE", name)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let pid = child.id();
    let watchdog = std::thread::spawn(move || {
        if done_rx.recv_timeout(WATCHDOG).is_err() {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            return true;
        }
        false
    });
    let mut err_pipe = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let mut stdout = String::new();
    let _ = child.stdout.take().unwrap().read_to_string(&mut stdout);
    let stderr = err_reader.join().unwrap();
    let status = child.wait().unwrap().code();
    let _ = done_tx.send(());
    if watchdog.join().unwrap() {
        return Err(format!(
            "{name}: hung: the child did not exit within {WATCHDOG:?}; stdout:\n{stdout}"
        ));
    }
    Ok((stdout, stderr, status))
}

fn main() -> ExitCode {
    if let Ok(name) = std::env::var("EXIT_PROBE") {
        let (_, body) = SCENARIOS.iter().find(|(n, _)| *n == name).unwrap();
        return run_main(body);
    }
    let wanted: &[(&str, String, i32, &str)] = &[
        ("queued", format!("main returns\n{LATE}{COUNTS}"), 0, ""),
        ("sys_exit", format!("{LATE}{COUNTS}"), 3, ""),
        (
            "uncaught",
            format!("{LATE}{COUNTS}"),
            1,
            "ValueError: bad\n",
        ),
    ];
    let mut failures = Vec::new();
    for round in 0..3 {
        for (name, stdout, status, stderr_has) in wanted {
            match run_child(name) {
                Err(e) => failures.push(e),
                Ok((out, err, st)) => {
                    let out = out.replace("after interpreter shutdown", "after shutdown");
                    if &out != stdout || st != Some(*status) || !err.contains(stderr_has) {
                        failures.push(format!(
                            "{name} (round {round}): status {st:?}, stdout:\n{out}--- stderr:\n{err}--- wanted status {status}, stdout:\n{stdout}"
                        ));
                    }
                }
            }
        }
    }
    if failures.is_empty() {
        println!("exit_in_flight: 9 children exited as CPython's would");
        ExitCode::SUCCESS
    } else {
        for f in &failures {
            eprintln!("FAILED {f}");
        }
        ExitCode::FAILURE
    }
}
