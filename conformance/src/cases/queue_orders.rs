//! Twin of `cases/queue_orders.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let (q, l, p) = (
        Queue::new(None),
        LifoQueue::new(None),
        PriorityQueue::new(None),
    );
    for x in [3, 1, 2] {
        q.put(x, None, None).unwrap();
        l.put(x, None, None).unwrap();
        p.put(x, None, None).unwrap();
    }
    let a: Vec<i32> = (0..3).map(|_| q.get(None, None).unwrap()).collect();
    let b2: Vec<i32> = (0..3).map(|_| l.get(None, None).unwrap()).collect();
    let c: Vec<i32> = (0..3).map(|_| p.get(None, None).unwrap()).collect();
    println!("{} {} {}", list(&a), list(&b2), list(&c));
    let p = PriorityQueue::new(None);
    p.put((1, "b"), None, None).unwrap();
    p.put((0, "z"), None, None).unwrap();
    p.put((1, "a"), None, None).unwrap();
    let items: Vec<String> = (0..3)
        .map(|_| {
            let (n, s) = p.get(None, None).unwrap();
            format!("({n}, '{s}')")
        })
        .collect();
    println!("[{}]", items.join(", "));
}
