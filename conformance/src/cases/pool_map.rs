//! Twin of `cases/pool_map.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let pool = Pool::new(Some(2)).unwrap();
    let out: Vec<u64> = pool.map(|x: u64| x * x, 0..20u64, None).unwrap();
    println!("{}", list(&out));
    let out: Vec<u64> = pool.map(|x: u64| x * x, 0..7u64, Some(2)).unwrap();
    println!("{}", list(&out));
    drop(pool);
}
