//! Twin of `cases/exit_runs_pending_executor_work.py`.

#[allow(unused_imports)]
use super::prelude::*;
use std::sync::OnceLock;

/// The module-level `executor`, never shut down.
static EXECUTOR: OnceLock<ThreadPoolExecutor> = OnceLock::new();

fn executor() -> &'static ThreadPoolExecutor {
    EXECUTOR.get_or_init(|| ThreadPoolExecutor::new(Some(1)).unwrap())
}

fn show(i: u32) {
    println!("item {i}");
}

fn after_exit() -> PyResult<()> {
    main_thread().join(None)?;
    for ex in [executor().clone(), ThreadPoolExecutor::new(Some(1))?] {
        if let Err(e) = ex.submit(|| println!("accepted")) {
            println!("{}", exc(&e));
        }
    }
    Ok(())
}

pub fn run() -> PyResult<()> {
    let executor = executor();
    let go = Event::new();
    Thread::new(after_exit).start()?;
    let go2 = go.clone();
    executor.submit(move || {
        go2.wait(None);
    })?;
    for i in 0..3 {
        executor.submit(move || println!("fire and forget {i}"))?;
    }
    let _ = executor.map(show, 0..10u32, None, None)?;
    println!("main returns");
    go.set();
    Ok(())
}
