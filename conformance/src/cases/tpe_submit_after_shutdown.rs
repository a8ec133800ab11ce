//! Twin of `cases/tpe_submit_after_shutdown.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
    ex.shutdown(true, false);
    if let Err(e) = ex.submit(|| println!("never")) {
        println!("{}", exc(&e));
    }
}
