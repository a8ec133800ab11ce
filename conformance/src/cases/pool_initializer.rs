//! Twin of `cases/pool_initializer.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    thread_local! {
        static FACTOR: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }
    let pool = Pool::builder()
        .processes(Some(2))
        .initializer(|| FACTOR.with(|f| f.set(3)))
        .build()
        .unwrap();
    let out: Vec<u64> = pool
        .map(|x: u64| x * FACTOR.with(|f| f.get()), 0..5u64, None)
        .unwrap();
    println!("{}", list(&out));
    drop(pool);
}
