//! Twin of `cases/wait_duplicate_futures.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let done: Future<u64> = Future::new();
    done.set_result(1).unwrap();
    let pending: Future<u64> = Future::new();
    let fs = [done.clone(), done.clone(), pending.clone(), pending.clone()];
    let r = wait(&fs, Some(Duration::ZERO), None);
    println!("{} {}", r.done.len(), r.not_done.len());
    let mut got = Vec::new();
    let fs = [done.clone(), pending.clone(), done, pending];
    for f in as_completed(&fs, Some(Duration::ZERO)) {
        match f {
            Ok(f) => got.push(f.result(None).unwrap()),
            Err(e) => println!("{} {}", list(&got), exc(&e)),
        }
    }
}
