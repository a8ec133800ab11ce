//! `threading.excepthook` and the default reports on stderr.
//!
//! The stderr texts are checked in a child process: this test binary runs
//! itself again with `HOOKS_CHILD=<scenario>` and only the `child` test,
//! and the parent compares what the child wrote. The hook is process-wide,
//! so the one in-process test that replaces it is the only test here whose
//! threads raise.

use std::process::{Command, Output, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use pyrt_executor::concurrent::futures::{Future, ThreadPoolExecutor};
use pyrt_executor::multiprocessing::Process;
use pyrt_executor::threading::{
    default_excepthook, excepthook, set_excepthook, ExceptHookArgs, Thread,
};
use pyrt_executor::{PyException, PyResult};

const CHILD: &str = "HOOKS_CHILD";

fn raising(e: PyException) -> impl FnOnce() -> PyResult<()> + Send + 'static {
    move || Err(e)
}

/// Runs the scenario `name` in a child process, with `stderr` as its stderr.
fn run_child(name: &str, stderr: Stdio) -> Output {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(CHILD, name)
        .stdin(Stdio::null())
        .stderr(stderr)
        .output()
        .unwrap()
}

/// The child's side: runs the scenario named by `HOOKS_CHILD`, if any.
#[test]
fn child() {
    let Ok(scenario) = std::env::var(CHILD) else {
        return;
    };
    // Watchdog: a hang fails the child instead of the whole run.
    let (done, watchdog) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if watchdog.recv_timeout(Duration::from_secs(60)).is_err() {
            std::process::exit(99);
        }
    });
    match scenario.as_str() {
        "texts" => texts(),
        "full_stderr" => full_stderr(),
        other => panic!("unknown scenario {other}"),
    }
    let _ = done.send(());
}

/// Every default report, one after the other.
fn texts() {
    let t = Thread::builder()
        .name("w")
        .build(raising(PyException::ValueError("boom".into())));
    t.start().unwrap();
    t.join(None).unwrap();
    // SystemExit is silent.
    let t = Thread::new(raising(PyException::SystemExit(
        pyrt_executor::SystemExitCode::Int(3),
    )));
    t.start().unwrap();
    t.join(None).unwrap();
    // A hook that raises.
    set_excepthook(|_: &ExceptHookArgs| -> PyResult<()> {
        Err(PyException::KeyError("'k'".into()))
    });
    let t = Thread::new(raising(PyException::ValueError("lost".into())));
    t.start().unwrap();
    t.join(None).unwrap();
    set_excepthook(default_excepthook);
    // The default hook called directly, without a thread.
    let args = ExceptHookArgs::new(PyException::new("MyError", "direct"), None);
    default_excepthook(&args);

    let p = Process::with_name("P", raising(PyException::ValueError("bad".into())));
    p.start().unwrap();
    p.join(None).unwrap();
    assert_eq!(p.exitcode(), Some(1));

    let f: Future<u8> = Future::new();
    f.add_done_callback(|_: &Future<u8>| -> PyResult<()> {
        Err(PyException::ValueError("cb".into()))
    });
    f.set_result(1).unwrap();

    let ex = ThreadPoolExecutor::builder()
        .max_workers(Some(1))
        .initializer(|| -> PyResult<()> { Err(PyException::RuntimeError("init".into())) })
        .build()
        .unwrap();
    let r = ex.submit(|| 1u8).unwrap().result(None);
    assert_eq!(r.unwrap_err().name(), "BrokenThreadPool");
}

#[test]
fn default_reports_are_cpythons_text_without_frames() {
    let out = run_child("texts", Stdio::piped());
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    let ident = stderr
        .lines()
        .find_map(|l| {
            l.strip_prefix("Exception in thread ")
                .filter(|n| *n != "w:")
        })
        .unwrap_or("?:")
        .to_string();
    assert_eq!(
        stderr,
        format!(
            "Exception in thread w:\n\
             ValueError: boom\n\
             Exception in threading.excepthook:\n\
             KeyError: 'k'\n\
             Exception in thread {ident}\n\
             MyError: direct\n\
             Process P:\n\
             ValueError: bad\n\
             exception calling callback for <Future state=finished returned int>\n\
             ValueError: cb\n\
             Exception in initializer:\n\
             RuntimeError: init\n"
        )
    );
    // Without a thread the name is the caller's ident, a number.
    assert!(
        ident.trim_end_matches(':').parse::<u64>().is_ok(),
        "{ident}"
    );
}

/// Raising targets, a raising process and a raising callback with a stderr
/// that fails every write: everything still completes.
fn full_stderr() {
    let t = Thread::new(raising(PyException::ValueError("x".into())));
    t.start().unwrap();
    t.join(None).unwrap();
    assert!(!t.is_alive());
    let p = Process::new(raising(PyException::ValueError("y".into())));
    p.start().unwrap();
    p.join(None).unwrap();
    assert_eq!(p.exitcode(), Some(1));
    let f: Future<u8> = Future::new();
    f.add_done_callback::<()>(|_: &Future<u8>| panic!("callback"));
    f.set_result(1).unwrap();
    println!("all joined");
}

#[cfg(target_os = "linux")]
#[test]
fn join_returns_when_stderr_fails() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = run_child("full_stderr", Stdio::from(full));
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("all joined"));
}

/// What the hook saw: type, value, thread name.
type Seen = (String, PyException, Option<String>);

#[test]
fn a_custom_hook_receives_type_value_and_thread() {
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let s = seen.clone();
    set_excepthook(move |args: &ExceptHookArgs| {
        assert!(args.exc_traceback.is_none());
        let name = args.thread.as_ref().map(|t| t.name());
        s.lock()
            .unwrap()
            .push((args.exc_type.clone(), args.exc_value.clone(), name));
    });
    let t = Thread::builder()
        .name("hooked")
        .build(raising(PyException::ValueError("boom".into())));
    t.start().unwrap();
    t.join(None).unwrap();
    let t = Thread::builder()
        .name("panicky")
        .build::<_, ()>(|| panic!("oops"));
    t.start().unwrap();
    t.join(None).unwrap();
    // `threading.excepthook(args)` calls the hook in place.
    excepthook()(&ExceptHookArgs::new(PyException::new("E", "direct"), None)).unwrap();
    set_excepthook(default_excepthook);
    assert_eq!(
        *seen.lock().unwrap(),
        vec![
            (
                "ValueError".to_string(),
                PyException::ValueError("boom".into()),
                Some("hooked".to_string())
            ),
            (
                "PanicException".to_string(),
                PyException::PanicException("oops".into()),
                Some("panicky".to_string())
            ),
            ("E".to_string(), PyException::new("E", "direct"), None),
        ]
    );
}
