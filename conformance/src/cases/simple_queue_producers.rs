//! Twin of `cases/simple_queue_producers.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let q = SimpleQueue::new();
    let ts: Vec<Thread> = (0..4u64)
        .map(|base| {
            let q = q.clone();
            Thread::new(move || {
                for i in 0..100 {
                    q.put(base * 100 + i, None, None);
                }
            })
        })
        .collect();
    for t in &ts {
        t.start().unwrap();
    }
    for t in &ts {
        t.join(None).unwrap();
    }
    let mut total = 0u64;
    while !q.empty() {
        total += q.get(None, None).unwrap();
    }
    println!("{} {}", total, q.qsize());
}
