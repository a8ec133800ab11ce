//! Twin of `cases/event_wait.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let e = Event::new();
    println!("{} {}", b(e.is_set()), b(e.wait(Some(0.01))));
    let e2 = e.clone();
    let t = Thread::new(move || e2.set());
    t.start().unwrap();
    println!("{}", b(e.wait(None)));
    t.join(None).unwrap();
    e.clear();
    println!("{} {}", b(e.is_set()), b(e.wait(Some(-1.0))));
}
