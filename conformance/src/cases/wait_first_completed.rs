//! Twin of `cases/wait_first_completed.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let release = Event::new();
    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    let r = release.clone();
    let slow: Future<bool> = ex.submit(move || r.wait(None)).unwrap();
    let fast: Future<bool> = ex.submit(|| true).unwrap();
    let fs = [slow.clone(), fast.clone()];
    let res = wait(&fs, None, Some(FIRST_COMPLETED));
    println!(
        "{} {} {} {}",
        b(res.done.iter().any(|f| f.ptr_eq(&fast))),
        b(res.not_done.iter().any(|f| f.ptr_eq(&slow))),
        res.done.len(),
        res.not_done.len()
    );
    // `fast` returns the string "fast" in Python; here the marker `true`.
    println!(
        "{} {} {}",
        b(fast.done()),
        b(slow.done()),
        if fast.result(None).unwrap() {
            "fast"
        } else {
            "?"
        }
    );
    release.set();
    let res = wait(&fs, None, None);
    println!(
        "{} {} {}",
        res.done.len(),
        res.not_done.len(),
        b(slow.result(None).unwrap())
    );
    ex.shutdown(true, false);
}
