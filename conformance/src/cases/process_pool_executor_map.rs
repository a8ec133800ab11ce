//! Twin of `cases/process_pool_executor_map.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    fn square(x: u64) -> u64 {
        x * x
    }
    let ex = ProcessPoolExecutor::new(Some(2)).unwrap();
    let out: Vec<u64> = ex
        .map(square, 0..10u64, None, Some(3))
        .unwrap()
        .collect::<PyResult<_>>()
        .unwrap();
    println!("{}", list(&out));
    let f: Future<u64> = ex.submit(|| square(12)).unwrap();
    println!("{}", f.result(None).unwrap());
    drop(ex);
}
