//! Twin of `cases/barrier_abort.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let bar = Barrier::new(2, None, None);
    let out: Arc<Mutex<Vec<String>>> = Arc::default();
    let (b2, o) = (bar.clone(), out.clone());
    let t = Thread::new(move || {
        if let Err(e) = b2.wait(None) {
            o.lock().unwrap().push(e.name().to_string());
        }
    });
    t.start().unwrap();
    bar.abort();
    t.join(None).unwrap();
    println!("{} {}", strs(&out.lock().unwrap()), b(bar.broken()));
    if let Err(e) = bar.wait(None) {
        println!("{} '{}'", e.name(), e.message());
    }
    bar.reset();
    println!("{} {}", b(bar.broken()), bar.n_waiting());
    let idx: Arc<Mutex<Vec<usize>>> = Arc::default();
    let (b2, i2) = (bar.clone(), idx.clone());
    let t2 = Thread::new(move || -> PyResult<()> {
        let i = b2.wait(None)?;
        i2.lock().unwrap().push(i);
        Ok(())
    });
    t2.start().unwrap();
    let i = bar.wait(None).unwrap();
    idx.lock().unwrap().push(i);
    t2.join(None).unwrap();
    let mut s = idx.lock().unwrap().clone();
    s.sort();
    println!("{}", list(&s));
}
