//! Twin of `cases/result_timeout.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let gate = Event::new();
    let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
    let g = gate.clone();
    let f: Future<bool> = ex.submit(move || g.wait(None)).unwrap();
    if let Err(e) = f.result(Some(Duration::from_millis(10))) {
        println!("{} '{}'", e.name(), e.message());
    }
    gate.set();
    println!("{}", b(f.result(None).unwrap()));
    drop(ex);
}
