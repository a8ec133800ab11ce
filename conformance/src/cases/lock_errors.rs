//! Twin of `cases/lock_errors.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let lock = Lock::new();
    if let Err(e) = lock.release() {
        println!("{}", exc(&e));
    }
    let a = lock.acquire(None, None).unwrap();
    let b2 = lock.acquire(Some(false), None).unwrap();
    let c = lock.acquire(None, Some(0.01)).unwrap();
    println!("{} {} {} {}", b(a), b(b2), b(c), b(lock.locked()));
    if let Err(e) = lock.acquire(Some(false), Some(1.0)) {
        println!("{}", exc(&e));
    }
    if let Err(e) = lock.acquire(Some(true), Some(-5.0)) {
        println!("{}", exc(&e));
    }
    lock.release().unwrap();
    println!("{}", b(lock.locked()));
}
