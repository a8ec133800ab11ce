//! Twin of `cases/shutdown_cancel_futures.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let gate = Event::new();
    let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
    let started = Event::new();
    let (g, s) = (gate.clone(), started.clone());
    let first: Future<bool> = ex
        .submit(move || {
            s.set();
            g.wait(None)
        })
        .unwrap();
    started.wait(None);
    let rest: Vec<Future<&str>> = (0..3).map(|_| ex.submit(|| "late").unwrap()).collect();
    ex.shutdown(false, true);
    let c: Vec<&str> = rest.iter().map(|f| b(f.cancelled())).collect();
    println!("[{}]", c.join(", "));
    gate.set();
    println!("{}", b(first.result(None).unwrap()));
}
