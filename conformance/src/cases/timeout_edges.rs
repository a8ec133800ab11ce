//! Twin of `cases/timeout_edges.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    println!("{:?}", executor_api::threading::TIMEOUT_MAX);
    if let Err(e) = Lock::new().acquire(None, Some(1e100)) {
        println!("{}", exc(&e));
    }
    if let Err(e) = RLock::new().acquire(None, Some(1e100)) {
        println!("{}", exc(&e));
    }
    let s = Semaphore::new(Some(1)).unwrap();
    println!("{}", b(s.acquire(None, Some(1e100)).unwrap()));
    if let Err(e) = s.acquire(None, Some(1e100)) {
        println!("{}", exc(&e));
    }
    let q: Queue<u64> = Queue::new(Some(1));
    if let Err(e) = q.get(Some(false), Some(-1.0)) {
        println!("{}", e.name());
    }
    q.put(1, None, None).unwrap();
    if let Err(e) = q.put(2, Some(false), Some(-1.0)) {
        println!("{}", e.name());
    }
    let cv = Condition::new(None);
    let items: Arc<Mutex<Vec<u64>>> = Arc::default();
    let t = {
        let (cv, items) = (cv.clone(), items.clone());
        Thread::new(move || {
            let _held = cv.with().unwrap();
            items.lock().unwrap().push(5);
            cv.notify(None).unwrap();
        })
    };
    {
        let _held = cv.with().unwrap();
        t.start().unwrap();
        let got = cv.wait_for(|| items.lock().unwrap().clone(), None).unwrap();
        println!("{}", list(&got));
        println!("{}", cv.wait_for(|| 0u64, Some(0.0)).unwrap());
        if let Err(e) = cv.wait(Some(1e100)) {
            println!("{}", exc(&e));
        }
    }
    t.join(None).unwrap();
}
