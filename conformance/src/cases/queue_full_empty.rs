//! Twin of `cases/queue_full_empty.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let q = Queue::new(Some(1));
    q.put_nowait("a").unwrap();
    println!("{} {} {}", b(q.full()), q.qsize(), b(q.empty()));
    if let Err(e) = q.put_nowait("b") {
        println!("{}", exc(&e));
    }
    if let Err(e) = q.put("b", None, Some(0.01)) {
        println!("{}", exc(&e));
    }
    println!("{}", q.get_nowait().unwrap());
    if let Err(e) = q.get_nowait() {
        println!("{}", exc(&e));
    }
    if let Err(e) = q.get(None, Some(-1.0)) {
        println!("{}", exc(&e));
    }
}
