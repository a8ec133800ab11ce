//! Twin of `cases/pool_starmap_apply.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    fn add(a: i64, b: i64) -> i64 {
        a + b
    }
    let pool = Pool::new(Some(2)).unwrap();
    let out: Vec<i64> = pool
        .starmap(|(a, b)| add(a, b), vec![(1, 2), (3, 4), (5, 6)], None)
        .unwrap();
    println!("{}", list(&out));
    let v: i64 = pool.apply(|| add(2, 3)).unwrap();
    println!("{v}");
    drop(pool);
}
