//! Twin of `cases/queue_task_done_join.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let q: Queue<Option<u64>> = Queue::new(None);
    let done: Arc<Mutex<Vec<u64>>> = Arc::default();
    let (q2, d) = (q.clone(), done.clone());
    let t = Thread::new(move || -> PyResult<()> {
        loop {
            match q2.get(None, None)? {
                None => return q2.task_done(),
                Some(item) => {
                    d.lock().unwrap().push(item * 2);
                    q2.task_done()?;
                }
            }
        }
    });
    t.start().unwrap();
    for i in 0..5 {
        q.put(Some(i), None, None).unwrap();
    }
    q.join();
    let mut s = done.lock().unwrap().clone();
    s.sort();
    println!("{}", list(&s));
    q.put(None, None, None).unwrap();
    t.join(None).unwrap();
    if let Err(e) = q.task_done() {
        println!("{}", exc(&e));
    }
}
