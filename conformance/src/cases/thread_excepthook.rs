//! Twin of `cases/thread_excepthook.py`.

#[allow(unused_imports)]
use super::prelude::*;
use executor_api::threading::{default_excepthook, set_excepthook, ExceptHookArgs};

fn bad_value() -> PyResult<()> {
    Err(PyException::ValueError("bad value".into()))
}

fn missing_key() -> PyResult<()> {
    Err(PyException::KeyError("'k'".into()))
}

pub fn run() {
    set_excepthook(|args: &ExceptHookArgs| {
        let name = args.thread.as_ref().map(|t| t.name()).unwrap_or_default();
        println!(
            "hook: {} {} {name}",
            args.exc_type,
            args.exc_value.message()
        );
    });
    type Target = fn() -> PyResult<()>;
    let targets: [(&str, Target); 2] = [("worker-1", bad_value), ("worker-2", missing_key)];
    for (name, target) in targets {
        let t = Thread::builder().name(name).build(target);
        t.start().unwrap();
        t.join(None).unwrap();
        println!("{name} alive: {}", b(t.is_alive()));
    }
    set_excepthook(default_excepthook);
    let t = Thread::new(|| -> PyResult<()> { Err(PyException::new("SystemExit", "3")) });
    t.start().unwrap();
    t.join(None).unwrap();
    println!("done");
}
