//! Twin of `cases/semaphores.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    if let Err(e) = Semaphore::new(Some(-1)) {
        println!("{}", exc(&e));
    }
    let s = Semaphore::new(Some(2)).unwrap();
    let r: Vec<&str> = vec![
        b(s.acquire(None, None).unwrap()),
        b(s.acquire(None, None).unwrap()),
        b(s.acquire(Some(false), None).unwrap()),
        b(s.acquire(None, Some(0.01)).unwrap()),
    ];
    println!("{}", r.join(" "));
    s.release(Some(2)).unwrap();
    println!("{}", b(s.acquire(Some(false), None).unwrap()));
    let bs = BoundedSemaphore::new(Some(1)).unwrap();
    bs.acquire(None, None).unwrap();
    bs.release(None).unwrap();
    if let Err(e) = bs.release(None) {
        println!("{}", exc(&e));
    }
}
