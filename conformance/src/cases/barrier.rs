//! Twin of `cases/barrier.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let actions: Arc<Mutex<Vec<String>>> = Arc::default();
    let a = actions.clone();
    let bar = Barrier::new(
        3,
        Some(Arc::new(move || {
            a.lock().unwrap().push("go".into());
            Ok(())
        })),
        None,
    );
    let idx: Arc<Mutex<Vec<usize>>> = Arc::default();
    let ts: Vec<Thread> = (0..3)
        .map(|_| {
            let (bar, idx) = (bar.clone(), idx.clone());
            Thread::new(move || -> PyResult<()> {
                let i = bar.wait(None)?;
                idx.lock().unwrap().push(i);
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
    let mut s = idx.lock().unwrap().clone();
    s.sort();
    println!(
        "{} {} {} {}",
        list(&s),
        strs(&actions.lock().unwrap()),
        bar.n_waiting(),
        b(bar.broken())
    );
    if let Err(e) = bar.wait(Some(0.01)) {
        println!("{} {}", e.name(), b(bar.broken()));
    }
    bar.reset();
    println!("{} {}", b(bar.broken()), bar.parties());
}
