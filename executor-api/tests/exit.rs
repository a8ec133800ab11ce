//! `run_main`'s end of a program, which a test cannot watch from inside:
//! this binary re-runs itself with `EXIT_SCENARIO=<name>`, where `main` is
//! a translated program's `run_main(..)`, and checks the child's stdout,
//! stderr and exit status. A watchdog kills a child that hangs.

use std::io::Read;
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use pyrt_executor::concurrent::futures::ThreadPoolExecutor;
use pyrt_executor::multiprocessing::{active_children, Process};
use pyrt_executor::threading::{get_ident, main_thread, Event, Thread};
use pyrt_executor::{atexit, run_main, sys, PyException, PyResult};

const WATCHDOG: Duration = Duration::from_secs(60);

/// A translated program's main body.
type Body = fn() -> PyResult<()>;

/// The main bodies, by name.
const SCENARIOS: &[(&str, Body)] = &[
    ("ok", ok),
    ("sys_exit_3", sys_exit_3),
    ("exit_message", exit_message),
    ("exit_none", exit_none),
    ("uncaught", uncaught),
    ("panics", panics),
    ("atexit_raises", atexit_raises),
    ("joins_threads", joins_threads),
    ("pending_work", pending_work),
    ("main_ident", main_ident),
    ("processes", processes),
];

fn ok() -> PyResult<()> {
    println!("ran");
    Ok(())
}

fn sys_exit_3() -> PyResult<()> {
    atexit::register(|| println!("first registered"));
    atexit::register(|| println!("second registered"));
    println!("main");
    Err(sys::exit(3))
}

fn exit_message() -> PyResult<()> {
    atexit::register(|| println!("handler"));
    Err(sys::exit("bye"))
}

fn exit_none() -> PyResult<()> {
    Err(sys::exit(None))
}

fn uncaught() -> PyResult<()> {
    atexit::register(|| println!("handler"));
    Err(PyException::ValueError("bad".into()))
}

fn panics() -> PyResult<()> {
    panic!("boom")
}

fn atexit_raises() -> PyResult<()> {
    atexit::register(|| println!("still runs"));
    atexit::register(|| -> PyResult<()> { Err(PyException::ValueError("oops".into())) });
    Ok(())
}

/// A non-daemon thread still running when main returns is joined (it waits
/// for the main thread to stop, so it provably outlives the body); a daemon
/// thread blocked forever does not hold the exit; `SystemExit` in a thread
/// is silent.
fn joins_threads() -> PyResult<()> {
    let t = Thread::new(|| -> PyResult<()> {
        main_thread().join(None)?;
        println!("non-daemon thread ran after main");
        Ok(())
    });
    t.start()?;
    let forever = Event::new();
    let d = Thread::builder().daemon(Some(true)).build(move || {
        forever.wait(None);
    });
    d.start()?;
    let quiet = Thread::new(|| -> PyResult<()> { Err(sys::exit(5)) });
    quiet.start()?;
    quiet.join(None)?;
    println!("main returns");
    Ok(())
}

/// A module-level executor never shut down: queued work runs at exit (the
/// worker is held until main's last line), including a discarded `map`;
/// afterwards a new executor refuses work ("interpreter shutdown") and the
/// old one too ("after shutdown").
fn pending_work() -> PyResult<()> {
    static EX: OnceLock<ThreadPoolExecutor> = OnceLock::new();
    let ex = EX.get_or_init(|| ThreadPoolExecutor::new(Some(1)).unwrap());
    atexit::register(|| match EX.get().unwrap().submit(|| ()) {
        Ok(_) => println!("atexit submit accepted"),
        Err(e) => println!("atexit: {e}"),
    });
    let late = Thread::new(|| -> PyResult<()> {
        main_thread().join(None)?;
        match ThreadPoolExecutor::new(Some(1))?.submit(|| ()) {
            Ok(_) => println!("late submit accepted"),
            Err(e) => println!("late: {e}"),
        }
        Ok(())
    });
    late.start()?;
    let go = Event::new();
    let go2 = go.clone();
    ex.submit(move || {
        go2.wait(None);
    })?;
    let _ = ex.map(|i: u32| println!("item {i}"), 0..5u32, None, None)?;
    ex.submit(|| println!("fire and forget"))?;
    println!("main returns");
    go.set();
    Ok(())
}

fn main_ident() -> PyResult<()> {
    let me = get_ident();
    let seen = Arc::new(std::sync::Mutex::new(None));
    let seen2 = seen.clone();
    let t = Thread::new(move || *seen2.lock().unwrap() = main_thread().ident());
    t.start()?;
    t.join(None)?;
    let seen = seen.lock().unwrap().take();
    println!("{}", seen == Some(me) && main_thread().ident() == Some(me));
    Ok(())
}

/// Exit codes from `SystemExit` in a target; a non-daemon process still
/// running at exit is joined after the `atexit` handlers registered after
/// it started (here the handler is what lets it finish).
fn processes() -> PyResult<()> {
    for (label, code) in [
        ("0", Some(sys::exit(0))),
        ("5", Some(sys::exit(5))),
        ("msg", Some(sys::exit("msg"))),
        ("None", Some(sys::exit(None))),
        ("raise", Some(PyException::ValueError("x".into()))),
        ("ok", None),
    ] {
        let p = Process::new(move || code.map_or(Ok(()), Err));
        p.start()?;
        p.join(None)?;
        println!("{label} {:?}", p.exitcode());
    }
    let go = Event::new();
    let go2 = go.clone();
    let p = Process::new(move || {
        go2.wait(None);
        println!("child finished");
    });
    p.start()?;
    println!("active {}", active_children().len());
    atexit::register(move || {
        println!("handler");
        go.set();
    });
    Ok(())
}

struct Outcome {
    stdout: String,
    stderr: String,
    status: Option<i32>,
}

fn run_child(name: &str) -> Outcome {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env("EXIT_SCENARIO", name)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let pid = child.id();
    let scenario = name.to_string();
    let watchdog = std::thread::spawn(move || {
        if done_rx.recv_timeout(WATCHDOG).is_err() {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            eprintln!("{scenario}: the child hung; killed");
        }
    });
    let mut stdout = String::new();
    let mut stderr = String::new();
    let mut err_pipe = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        err_pipe.read_to_string(&mut s).unwrap();
        s
    });
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    stderr.push_str(&err_reader.join().unwrap());
    let status = child.wait().unwrap().code();
    let _ = done_tx.send(());
    watchdog.join().unwrap();
    Outcome {
        stdout,
        stderr,
        status,
    }
}

fn check(name: &str, stdout: &str, status: i32, stderr_has: &str, failures: &mut Vec<String>) {
    let o = run_child(name);
    if o.stdout != stdout || o.status != Some(status) || !o.stderr.contains(stderr_has) {
        failures.push(format!(
            "{name}: got status {:?}\n--- stdout\n{}--- stderr\n{}--- wanted status {status}, stdout\n{stdout}--- stderr containing {stderr_has:?}",
            o.status, o.stdout, o.stderr
        ));
    }
}

fn main() -> ExitCode {
    if let Ok(name) = std::env::var("EXIT_SCENARIO") {
        let (_, body) = SCENARIOS.iter().find(|(n, _)| *n == name).unwrap();
        return run_main(body);
    }
    let mut failures = Vec::new();
    let f = &mut failures;
    check("ok", "ran\n", 0, "", f);
    check(
        "sys_exit_3",
        "main\nsecond registered\nfirst registered\n",
        3,
        "",
        f,
    );
    check("exit_message", "handler\n", 1, "bye\n", f);
    check("exit_none", "", 0, "", f);
    check("uncaught", "handler\n", 1, "ValueError: bad\n", f);
    check("panics", "", 1, "boom", f);
    check(
        "atexit_raises",
        "still runs\n",
        0,
        "Exception ignored in atexit callback: <function>\nValueError: oops\n",
        f,
    );
    check(
        "joins_threads",
        "main returns\nnon-daemon thread ran after main\n",
        0,
        "",
        f,
    );
    check(
        "pending_work",
        "main returns\nitem 0\nitem 1\nitem 2\nitem 3\nitem 4\nfire and forget\n\
         late: RuntimeError: cannot schedule new futures after interpreter shutdown\n\
         atexit: RuntimeError: cannot schedule new futures after shutdown\n",
        0,
        "",
        f,
    );
    check("main_ident", "true\n", 0, "", f);
    check(
        "processes",
        "0 Some(0)\n5 Some(5)\nmsg Some(1)\nNone Some(0)\nraise Some(1)\nok Some(0)\n\
         active 1\nhandler\nchild finished\n",
        0,
        "msg\nProcess Process-5:\nValueError: x\n",
        f,
    );
    let quiet = run_child("joins_threads");
    if !quiet.stderr.is_empty() {
        failures.push(format!("joins_threads: stderr {:?}", quiet.stderr));
    }
    if failures.is_empty() {
        println!("exit: {} scenarios ok", SCENARIOS.len());
        ExitCode::SUCCESS
    } else {
        eprintln!("{}", failures.join("\n\n"));
        ExitCode::FAILURE
    }
}
