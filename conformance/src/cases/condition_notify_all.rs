//! Twin of `cases/condition_notify_all.py`.

#[allow(unused_imports)]
use super::prelude::*;

#[derive(Default)]
struct State {
    waiting: usize,
    tickets: usize,
    woken: usize,
}

pub fn run() {
    let cv = Condition::new(None);
    let state: Arc<Mutex<State>> = Arc::default();
    let ts: Vec<Thread> = (0..3)
        .map(|_| {
            let (cv, state) = (cv.clone(), state.clone());
            Thread::new(move || -> PyResult<()> {
                let _g = cv.with()?;
                state.lock().unwrap().waiting += 1;
                cv.notify_all()?;
                while state.lock().unwrap().tickets == 0 {
                    cv.wait(None)?;
                }
                let mut st = state.lock().unwrap();
                st.tickets -= 1;
                st.woken += 1;
                drop(st);
                cv.notify_all()
            })
        })
        .collect();
    for t in &ts {
        t.start().unwrap();
    }
    {
        let _g = cv.with().unwrap();
        cv.wait_for(|| state.lock().unwrap().waiting == 3, None)
            .unwrap();
        state.lock().unwrap().tickets = 1;
        cv.notify(Some(1)).unwrap();
        cv.wait_for(|| state.lock().unwrap().woken == 1, None)
            .unwrap();
        let st = state.lock().unwrap();
        println!("{} {}", st.woken, st.tickets);
        drop(st);
        state.lock().unwrap().tickets = 2;
        cv.notify_all().unwrap();
        cv.wait_for(|| state.lock().unwrap().woken == 3, None)
            .unwrap();
        let st = state.lock().unwrap();
        println!("{} {}", st.woken, st.tickets);
    }
    for t in &ts {
        t.join(None).unwrap();
    }
    if let Err(e) = cv.notify(None) {
        println!("{}", exc(&e));
    }
    if let Err(e) = cv.notify_all() {
        println!("{}", exc(&e));
    }
}
