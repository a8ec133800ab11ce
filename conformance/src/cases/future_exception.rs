//! Twin of `cases/future_exception.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
    let f: Future<()> = ex
        .submit(|| -> PyResult<()> { Err(PyException::KeyError("'missing'".into())) })
        .unwrap();
    let e = f.exception(None).unwrap().unwrap();
    println!("{} {}", e.name(), e.message());
    if let Err(e) = f.result(None) {
        println!("{}", exc(&e));
    }
    let g: Future<i32> = ex.submit(|| 1).unwrap();
    println!(
        "{}",
        g.exception(None)
            .unwrap()
            .map_or("None".to_string(), |e| e.to_string())
    );
    drop(ex);
}
