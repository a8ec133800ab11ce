//! Twin of `cases/pool_errors.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    if let Err(e) = Pool::new(Some(0)) {
        println!("{}", exc(&e));
    }
    let pool = Pool::new(Some(1)).unwrap();
    pool.close();
    if let Err(e) = pool.map(|x: i64| x.abs(), vec![1i64], None) {
        println!("{}", exc(&e));
    }
    pool.join().unwrap();
    println!("joined");
}
