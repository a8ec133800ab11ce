//! Twin of `cases/rlock_reentrant.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let r = RLock::new();
    println!(
        "{} {}",
        b(r.acquire(None, None).unwrap()),
        b(r.acquire(None, None).unwrap())
    );
    r.release().unwrap();
    r.release().unwrap();
    if let Err(e) = r.release() {
        println!("{}", exc(&e));
    }
    r.acquire(None, None).unwrap();
    let r2 = r.clone();
    let t = Thread::new(move || -> PyResult<()> {
        println!("[{}]", b(r2.acquire(Some(false), None)?));
        Ok(())
    });
    t.start().unwrap();
    t.join(None).unwrap();
    r.release().unwrap();
}
