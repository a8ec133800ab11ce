//! Twin of `cases/tpe_map_order.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let ex = ThreadPoolExecutor::new(Some(4)).unwrap();
    let out: Vec<u64> = ex
        .map(|x: u64| x * x, 0..10u64, None, None)
        .unwrap()
        .collect::<PyResult<_>>()
        .unwrap();
    println!("{}", list(&out));
    drop(ex);
}
