//! Twin of `cases/pool_terminate.py`.

#[allow(unused_imports)]
use super::prelude::*;

fn sq(x: u64) -> u64 {
    x * x
}

pub fn run() {
    let pool = Pool::new(Some(2)).unwrap();
    println!("{}", list(&pool.map(sq, 0..5u64, None).unwrap()));
    pool.terminate();
    if let Err(e) = pool.map(sq, [1u64], None) {
        println!("{}", exc(&e));
    }
    pool.join().unwrap();
    println!("joined");
}
