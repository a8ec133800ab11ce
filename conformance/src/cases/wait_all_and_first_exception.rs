//! Twin of `cases/wait_all_and_first_exception.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let gate = Event::new();
    let ex = ThreadPoolExecutor::new(Some(3)).unwrap();
    let fs: Vec<Future<i32>> = vec![ex.submit(|| 1).unwrap(), ex.submit(|| 2).unwrap()];
    let r = wait(&fs, None, Some(ALL_COMPLETED));
    println!("{} {}", r.done.len(), r.not_done.len());
    let g = gate.clone();
    let slow: Future<bool> = ex
        .submit(move || -> PyResult<bool> { Ok(g.wait(None)) })
        .unwrap();
    let bad: Future<bool> = ex
        .submit(|| -> PyResult<bool> { Err(PyException::RuntimeError("early".into())) })
        .unwrap();
    let r = wait(&[slow, bad.clone()], None, Some(FIRST_EXCEPTION));
    println!(
        "{} {} {}",
        r.done.len(),
        r.not_done.len(),
        b(r.done.iter().any(|f| f.ptr_eq(&bad)))
    );
    gate.set();
    drop(ex);
}
