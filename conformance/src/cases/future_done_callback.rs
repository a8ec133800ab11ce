//! Twin of `cases/future_done_callback.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let seen: Arc<Mutex<Vec<u64>>> = Arc::default();
    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    let fs: Vec<Future<u64>> = (0..5u64)
        .map(|i| ex.submit(move || i * 2).unwrap())
        .collect();
    for f in &fs {
        let seen = seen.clone();
        f.add_done_callback(move |f| seen.lock().unwrap().push(f.result(None).unwrap()));
    }
    drop(ex);
    let mut s = seen.lock().unwrap().clone();
    s.sort();
    println!("{}", list(&s));
    let late: Arc<Mutex<Vec<String>>> = Arc::default();
    let l = late.clone();
    fs[0].add_done_callback(move |_| l.lock().unwrap().push("ran at once".into()));
    println!("{}", strs(&late.lock().unwrap()));
}
