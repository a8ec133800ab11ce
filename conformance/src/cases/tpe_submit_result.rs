//! Twin of `cases/tpe_submit_result.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    let f: Future<u64> = ex.submit(|| 6 * 7).unwrap();
    println!("{}", f.result(None).unwrap());
    println!("{} {} {}", b(f.done()), b(f.cancelled()), b(f.running()));
    println!("{}", f.result(Some(Duration::from_secs(1))).unwrap());
    ex.shutdown(true, false);
}
