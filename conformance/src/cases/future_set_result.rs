//! Twin of `cases/future_set_result.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let f: Future<i32> = Future::new();
    println!("{} {} {}", b(f.done()), b(f.running()), b(f.cancelled()));
    println!(
        "{} {}",
        b(f.set_running_or_notify_cancel().unwrap()),
        b(f.running())
    );
    f.set_result(41).unwrap();
    println!("{} {}", b(f.done()), f.result(None).unwrap());
    if let Err(e) = f.set_result(42) {
        println!("{} {}", e.name(), e.message().split(" <").next().unwrap());
    }
    let g: Future<i32> = Future::new();
    g.set_exception(PyException::ValueError("bad".into()))
        .unwrap();
    let e = g.exception(None).unwrap().unwrap();
    println!("{} {}", e.name(), e.message());
    if let Err(e) = g.result(None) {
        println!("{}", exc(&e));
    }
    let h: Future<i32> = Future::new();
    println!(
        "{} {} {}",
        b(h.cancel()),
        b(h.cancelled()),
        b(h.set_running_or_notify_cancel().unwrap())
    );
    if let Err(e) = h.result(None) {
        println!("{}", e.name());
    }
}
