//! Twin of `cases/thread_start_join.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let out: Arc<Mutex<Vec<u64>>> = Arc::default();
    let lock = Lock::new();
    let ts: Vec<Thread> = (0..5u64)
        .map(|i| {
            let (out, lock) = (out.clone(), lock.clone());
            Thread::new(move || -> PyResult<()> {
                let _g = lock.with()?;
                out.lock().unwrap().push(i * i);
                Ok(())
            })
        })
        .collect();
    for t in &ts {
        t.start().unwrap();
    }
    for t in &ts {
        t.join(None).unwrap();
    }
    let mut s = out.lock().unwrap().clone();
    s.sort();
    println!("{} {}", list(&s), b(ts.iter().any(|t| t.is_alive())));
}
