//! Twin of `cases/pool_imap.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let pool = Pool::new(Some(2)).unwrap();
    let a: Vec<u64> = pool
        .imap(|x: u64| x * x, 0..6u64, None)
        .unwrap()
        .collect::<PyResult<_>>()
        .unwrap();
    println!("{}", list(&a));
    let mut u: Vec<u64> = pool
        .imap_unordered(|x: u64| x * x, 0..6u64, None)
        .unwrap()
        .collect::<PyResult<_>>()
        .unwrap();
    u.sort();
    println!("{}", list(&u));
    drop(pool);
}
