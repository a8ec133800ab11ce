//! Twin of `cases/pool_map_async_error.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    fn f(x: u64) -> PyResult<u64> {
        if x == 4 {
            return Err(PyException::ZeroDivisionError("division by zero".into()));
        }
        Ok(x)
    }
    let pool = Pool::new(Some(2)).unwrap();
    let r: AsyncResult<Vec<u64>> = pool.map_async(f, 0..3u64, None, None, None).unwrap();
    println!("{}", list(&r.get(None).unwrap()));
    let r: AsyncResult<Vec<u64>> = pool.map_async(f, 0..6u64, None, None, None).unwrap();
    if let Err(e) = r.get(None) {
        println!("{}", exc(&e));
    }
    drop(pool);
}
