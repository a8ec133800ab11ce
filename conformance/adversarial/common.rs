//! What every adversarial probe shares: a watchdog that turns a hang into a
//! failure with a message, and a few measurements read from `/proc`.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// How long a probe may run before it counts as hung. Every probe finishes
/// in well under a second or two on 2 loaded cores; this is a safety net.
pub const WATCHDOG: Duration = Duration::from_secs(60);

/// Runs `body` on its own thread; if it has not returned within
/// [`WATCHDOG`] the test fails with `hung: <what>` (the stuck threads are
/// left behind, the process ends with the harness). A panic in `body` is
/// resumed on the caller.
pub fn watchdog<R: Send + 'static>(what: &str, body: impl FnOnce() -> R + Send + 'static) -> R {
    watchdog_for(what, WATCHDOG, body)
}

/// [`watchdog`] with its own limit.
pub fn watchdog_for<R: Send + 'static>(
    what: &str,
    limit: Duration,
    body: impl FnOnce() -> R + Send + 'static,
) -> R {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .name("probe".into())
        .stack_size(8 << 20)
        .spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
            let _ = tx.send(());
            r
        })
        .expect("start the probe thread");
    match rx.recv_timeout(limit) {
        Ok(()) => match handle.join().expect("the body's panic is caught") {
            Ok(r) => r,
            Err(p) => std::panic::resume_unwind(p),
        },
        Err(_) => panic!("hung: {what} did not finish within {limit:?}"),
    }
}

/// Whether `cond` holds within `limit`, checking it again and again (for a
/// report or a callback that another thread makes after the moment the
/// probe can observe, such as `result()` returning).
pub fn eventually(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if cond() {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        std::thread::yield_now();
    }
}

/// [`watchdog`] for a long probe that reports its progress: `body` gets a
/// counter to bump as it goes, and the probe counts as hung only if the
/// counter stands still for `stall` (so a loaded machine makes it slower,
/// never a failure; a lost wake-up still fails, with the progress made).
pub fn watchdog_progress<R: Send + 'static>(
    what: &str,
    stall: Duration,
    body: impl FnOnce(&AtomicUsize) -> R + Send + 'static,
) -> R {
    let progress = Arc::new(AtomicUsize::new(0));
    let p = progress.clone();
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .name("probe".into())
        .stack_size(8 << 20)
        .spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(&p)));
            let _ = tx.send(());
            r
        })
        .expect("start the probe thread");
    let mut last = usize::MAX;
    loop {
        match rx.recv_timeout(stall) {
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                return match handle.join().expect("the body's panic is caught") {
                    Ok(r) => r,
                    Err(p) => std::panic::resume_unwind(p),
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let now = progress.load(Ordering::SeqCst);
                if now == last {
                    panic!("hung: {what} made no progress for {stall:?} (stuck at {now})");
                }
                last = now;
            }
        }
    }
}

/// Threads of this process now (`Threads:` of `/proc/self/status`).
pub fn threads_now() -> usize {
    status_field("Threads:").unwrap_or(0)
}

/// Resident memory of this process now, in KiB (`VmRSS:`).
pub fn rss_kib() -> usize {
    status_field("VmRSS:").unwrap_or(0)
}

fn status_field(name: &str) -> Option<usize> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(name))?;
    line[name.len()..].split_whitespace().next()?.parse().ok()
}

/// CPU time (user + system) this process has used, from `/proc/self/stat`
/// (clock ticks converted at the usual 100 Hz; only differences matter).
pub fn process_cpu() -> Duration {
    let s = std::fs::read_to_string("/proc/self/stat").expect("read /proc/self/stat");
    // The command name may contain spaces: fields start after the last ')'.
    let rest = &s[s.rfind(')').expect("stat has a comm field") + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // rest starts at field 3 (state); utime is field 14, stime field 15.
    let ticks: u64 = f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}
