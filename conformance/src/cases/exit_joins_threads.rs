//! Twin of `cases/exit_joins_threads.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() -> PyResult<()> {
    let forever = Event::new();
    let blocked_forever = move || {
        forever.wait(None);
    };
    let d = Thread::builder()
        .daemon(Some(true))
        .build(blocked_forever.clone());
    d.start()?;
    let t = Thread::new(|| -> PyResult<()> {
        main_thread().join(None)?;
        println!("non-daemon thread finished after main");
        Ok(())
    });
    t.start()?;
    if let Err(e) = t.set_daemon(true) {
        println!("{}", exc(&e));
    }
    let u = Thread::new(blocked_forever);
    u.set_daemon(true)?;
    u.start()?;
    println!(
        "{} {} {} {}",
        b(t.daemon()),
        b(d.daemon()),
        b(u.daemon()),
        b(main_thread().ident() == Some(get_ident()))
    );
    println!("main returns");
    Ok(())
}
