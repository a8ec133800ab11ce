//! Twin of `cases/queue_in_executor.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let q: Queue<u64> = Queue::new(Some(2));
    let ex = ThreadPoolExecutor::new(Some(4)).unwrap();
    let consumers: Vec<Future<u64>> = (0..2)
        .map(|_| {
            let q = q.clone();
            ex.submit(move || q.get(None, None)).unwrap()
        })
        .collect();
    let producers: Vec<Future<()>> = [10u64, 20]
        .into_iter()
        .map(|i| {
            let q = q.clone();
            ex.submit(move || q.put(i, None, None)).unwrap()
        })
        .collect();
    let mut got: Vec<u64> = consumers.iter().map(|f| f.result(None).unwrap()).collect();
    got.sort();
    println!("{}", list(&got));
    drop(producers);
    drop(ex);
}
