//! Twin of `cases/thread_errors.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let t = Thread::builder().name("t1").build(|| ());
    if let Err(e) = t.join(None) {
        println!("{}", exc(&e));
    }
    t.start().unwrap();
    if let Err(e) = t.start() {
        println!("{}", exc(&e));
    }
    t.join(None).unwrap();
    println!(
        "{} {} {}",
        t.name(),
        b(t.is_alive()),
        b(t.ident().is_some())
    );
    if let Err(e) = current_thread().join(None) {
        println!("{}", exc(&e));
    }
    println!("{} {}", current_thread().name(), main_thread().name());
}
