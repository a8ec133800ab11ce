//! Twin of `cases/timer_and_local.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let fired: Arc<Mutex<Vec<String>>> = Arc::default();
    let (f1, f2) = (fired.clone(), fired.clone());
    let t1 = Timer::new(0.0, move || f1.lock().unwrap().push("t1".into()));
    let t2 = Timer::new(60.0, move || f2.lock().unwrap().push("t2".into()));
    t1.start().unwrap();
    t2.start().unwrap();
    t2.cancel();
    t1.join(None).unwrap();
    t2.join(None).unwrap();
    println!("{}", strs(&fired.lock().unwrap()));
    let data: Local<String> = Local::new();
    data.set("main".into());
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let (d, s) = (data.clone(), seen.clone());
    let t = Thread::new(move || {
        let has = d.get().is_some();
        d.set("other".into());
        let mut s = s.lock().unwrap();
        s.push(b(has).to_string());
        s.push(format!("'{}'", d.get().unwrap()));
    });
    t.start().unwrap();
    t.join(None).unwrap();
    println!(
        "[{}] {}",
        seen.lock().unwrap().join(", "),
        data.get().unwrap()
    );
}
