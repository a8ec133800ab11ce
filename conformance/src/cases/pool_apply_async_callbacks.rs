//! Twin of `cases/pool_apply_async_callbacks.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let got: Arc<Mutex<Vec<u64>>> = Arc::default();
    let errors: Arc<Mutex<Vec<String>>> = Arc::default();
    let pool = Pool::new(Some(2)).unwrap();
    let g = got.clone();
    let r = pool
        .apply_async(
            || 5u64 * 5,
            Some(Box::new(move |v: &u64| g.lock().unwrap().push(*v))),
            None,
        )
        .unwrap();
    println!(
        "{} {} {}",
        r.get(Some(Duration::from_secs(5))).unwrap(),
        b(r.ready()),
        b(r.successful().unwrap())
    );
    let e2 = errors.clone();
    let r2: AsyncResult<u64> = pool
        .apply_async(
            || -> PyResult<u64> { Err(PyException::ValueError("bad 1".into())) },
            None,
            Some(Box::new(move |e: &PyException| {
                e2.lock().unwrap().push(e.message().to_string())
            })),
        )
        .unwrap();
    if let Err(e) = r2.get(None) {
        println!("{}", exc(&e));
    }
    println!("{}", b(r2.successful().unwrap()));
    drop(pool);
    println!(
        "{} {}",
        list(&got.lock().unwrap()),
        strs(&errors.lock().unwrap())
    );
}
