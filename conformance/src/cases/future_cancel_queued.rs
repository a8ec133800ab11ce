//! Twin of `cases/future_cancel_queued.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let gate = Event::new();
    let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
    let g = gate.clone();
    let running: Future<bool> = ex.submit(move || g.wait(None)).unwrap();
    let queued: Future<&str> = ex.submit(|| "queued").unwrap();
    println!(
        "{} {} {}",
        b(queued.cancel()),
        b(queued.cancelled()),
        b(queued.done())
    );
    if let Err(e) = queued.result(None) {
        println!("{}", e.name());
    }
    gate.set();
    println!(
        "{} {}",
        b(running.result(None).unwrap()),
        b(running.cancel())
    );
    drop(ex);
}
