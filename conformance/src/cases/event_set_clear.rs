//! Twin of `cases/event_set_clear.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    const N: usize = 4;
    let e = Event::new();
    let results = Arc::new(Mutex::new(Vec::new()));
    let threads: Vec<Thread> = (0..N)
        .map(|_| {
            let (e, results) = (e.clone(), results.clone());
            Thread::new(move || {
                let r = e.wait(None);
                results.lock().unwrap().push(b(r));
            })
        })
        .collect();
    for t in &threads {
        t.start().unwrap();
    }
    while e.waiter_count() < N {
        std::thread::yield_now();
    }
    e.set();
    e.clear();
    for t in &threads {
        t.join(None).unwrap();
    }
    let results = results.lock().unwrap();
    let shown: Vec<&str> = results.clone();
    println!("[{}] {}", shown.join(", "), b(e.is_set()));
}
