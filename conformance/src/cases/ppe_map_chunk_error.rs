//! Twin of `cases/ppe_map_chunk_error.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    fn f(x: u64) -> PyResult<u64> {
        if x == 5 {
            return Err(PyException::ValueError(format!("bad {x}")));
        }
        Ok(x)
    }
    let ex = ProcessPoolExecutor::new(Some(2)).unwrap();
    let mut got: Vec<u64> = Vec::new();
    let results: MapIter<u64> = ex.map(f, 0..10u64, None, Some(3)).unwrap();
    for v in results {
        match v {
            Ok(v) => got.push(v),
            Err(e) => println!("{} {}", list(&got), exc(&e)),
        }
    }
}
