//! Twin of `cases/initializer_broken.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let ex = ThreadPoolExecutor::builder()
        .max_workers(Some(1))
        .initializer(|| -> PyResult<()> { Err(PyException::ValueError("no".into())) })
        .build()
        .unwrap();
    let f: Future<i32> = ex.submit(|| 1).unwrap();
    if let Err(e) = f.result(None) {
        println!("{}", exc(&e));
    }
    if let Err(e) = ex.submit(|| 2) {
        println!("{}", exc(&e));
    }
}
