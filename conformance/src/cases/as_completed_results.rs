//! Twin of `cases/as_completed_results.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let ex = ThreadPoolExecutor::new(Some(3)).unwrap();
    let fs: Vec<Future<u64>> = (0..8u32)
        .map(|i| ex.submit(move || 2u64.pow(i)).unwrap())
        .collect();
    let mut out: Vec<u64> = as_completed(&fs, None)
        .map(|f| f.unwrap().result(None).unwrap())
        .collect();
    out.sort();
    println!("{}", list(&out));
    drop(ex);
}
