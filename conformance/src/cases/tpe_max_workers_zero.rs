//! Twin of `cases/tpe_max_workers_zero.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    if let Err(e) = ThreadPoolExecutor::new(Some(0)) {
        println!("{}", exc(&e));
    }
}
