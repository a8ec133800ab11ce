//! Twin of `cases/nested_submit.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    let ex2 = ex.clone();
    let outer = move |n: u64| -> PyResult<u64> {
        let inner: Future<u64> = ex2.submit(move || n + 1)?;
        Ok(inner.result(None)? * 2)
    };
    let f: Future<u64> = ex.submit(move || outer(20)).unwrap();
    println!("{}", f.result(None).unwrap());
    ex.shutdown(true, false);
}
