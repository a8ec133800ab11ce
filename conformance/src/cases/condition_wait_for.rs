//! Twin of `cases/condition_wait_for.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let cond = Condition::new(None);
    let items: Arc<Mutex<Vec<u64>>> = Arc::default();
    let results: Arc<Mutex<Vec<u64>>> = Arc::default();
    let ts: Vec<Thread> = (0..3)
        .map(|_| {
            let (cond, items, results) = (cond.clone(), items.clone(), results.clone());
            Thread::new(move || -> PyResult<()> {
                let _g = cond.with()?;
                cond.wait_for(|| !items.lock().unwrap().is_empty(), None)?;
                let v = items.lock().unwrap().pop().unwrap();
                results.lock().unwrap().push(v);
                Ok(())
            })
        })
        .collect();
    for t in &ts {
        t.start().unwrap();
    }
    for i in 0..3u64 {
        let _g = cond.with().unwrap();
        items.lock().unwrap().push(i);
        cond.notify(None).unwrap();
    }
    for t in &ts {
        t.join(None).unwrap();
    }
    let mut s = results.lock().unwrap().clone();
    s.sort();
    println!("{}", list(&s));
    let c2 = Condition::new(Some(Lock::new().into()));
    if let Err(e) = c2.wait(Some(0.0)) {
        println!("{}", exc(&e));
    }
    if let Err(e) = c2.notify(None) {
        println!("{}", exc(&e));
    }
    let _g = c2.with().unwrap();
    println!("{}", b(c2.wait(Some(0.01)).unwrap()));
}
