//! Twin of `cases/threading_introspection.py`.

#[allow(unused_imports)]
use super::prelude::*;
use executor_api::threading::{active_count, enumerate, get_ident, get_native_id};

pub fn run() {
    println!("{} {}", current_thread().name(), main_thread().name());
    println!("{}", b(current_thread().ptr_eq(&main_thread())));
    let ready = Event::new();
    let go = Event::new();
    let seen: Arc<Mutex<(String, bool, bool)>> = Arc::default();
    let (r, g, s) = (ready.clone(), go.clone(), seen.clone());
    let t = Thread::builder()
        .name("worker")
        .daemon(Some(true))
        .build(move || {
            let t = current_thread();
            *s.lock().unwrap() = (
                t.name(),
                Some(get_ident()) == t.ident(),
                Some(get_native_id()) == t.native_id(),
            );
            r.set();
            g.wait(None);
        });
    println!(
        "{} {} {} {}",
        b(t.daemon()),
        b(t.is_alive()),
        b(t.ident().is_none()),
        b(t.native_id().is_none())
    );
    t.start().unwrap();
    ready.wait(None);
    let mut names: Vec<String> = enumerate().iter().map(|x| x.name()).collect();
    names.sort();
    println!("{} {} {}", b(t.is_alive()), active_count(), strs(&names));
    let (name, same_ident, native) = seen.lock().unwrap().clone();
    println!(
        "{} {} {} {}",
        name,
        b(same_ident),
        b(native),
        b(t.ident() != Some(get_ident()))
    );
    go.set();
    t.join(None).unwrap();
    let names: Vec<String> = enumerate().iter().map(|x| x.name()).collect();
    println!("{} {} {}", b(t.is_alive()), active_count(), strs(&names));
}
