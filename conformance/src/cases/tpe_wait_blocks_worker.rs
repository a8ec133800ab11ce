//! Twin of `cases/tpe_wait_blocks_worker.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
    let ev = Event::new();
    let started = Event::new();
    let (e, s) = (ev.clone(), started.clone());
    let a: Future<bool> = ex
        .submit(move || {
            s.set();
            e.wait(None)
        })
        .unwrap();
    let b_: Future<&'static str> = ex.submit(|| "second ran").unwrap();
    started.wait(None);
    println!(
        "second started while first waits: {}",
        b(b_.running() || b_.done())
    );
    println!("cancel second: {}", b(b_.cancel()));
    let c: Future<String> = ex.submit(|| current_thread().name()).unwrap();
    ev.set();
    println!(
        "{} {} {}",
        b(a.result(None).unwrap()),
        b(b_.cancelled()),
        c.result(None).unwrap()
    );
    ex.shutdown(true, false);
}
