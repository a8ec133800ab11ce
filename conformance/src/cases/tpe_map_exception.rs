//! Twin of `cases/tpe_map_exception.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    fn f(x: u64) -> PyResult<u64> {
        if x == 3 {
            return Err(PyException::ValueError(format!("bad item {x}")));
        }
        Ok(x * 10)
    }
    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    let results: MapIter<u64> = ex.map(f, 0..6u64, None, None).unwrap();
    for r in results {
        match r {
            Ok(v) => println!("{v}"),
            Err(e) => {
                println!("{}", exc(&e));
                break;
            }
        }
    }
    drop(ex);
}
