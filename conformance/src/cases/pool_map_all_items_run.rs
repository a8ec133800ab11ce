//! Twin of `cases/pool_map_all_items_run.py`.

#[allow(unused_imports)]
use super::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

pub fn run() {
    let counter = Arc::new(AtomicUsize::new(0));
    let pool = Pool::new(Some(1)).unwrap();
    for chunksize in [1, 4] {
        counter.store(0, Ordering::SeqCst);
        let c = counter.clone();
        let f = move |x: u64| -> PyResult<u64> {
            c.fetch_add(1, Ordering::SeqCst);
            if x == 1 || x == 5 {
                return Err(PyException::ValueError(format!("bad {x}")));
            }
            Ok(x)
        };
        let r: PyResult<Vec<u64>> = pool.map(f, 0..10u64, Some(chunksize));
        if let Err(e) = r {
            println!(
                "{} {} {}",
                chunksize,
                exc(&e),
                counter.load(Ordering::SeqCst)
            );
        }
    }
}
