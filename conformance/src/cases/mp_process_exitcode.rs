//! Twin of `cases/mp_process_exitcode.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let p = Process::new(|| println!("child ran"));
    println!(
        "{} {}",
        p.exitcode().map_or("None".into(), |c| c.to_string()),
        b(p.is_alive())
    );
    if let Err(e) = p.join(None) {
        println!("{}", exc(&e));
    }
    p.start().unwrap();
    p.join(None).unwrap();
    println!("{}", p.exitcode().unwrap());
    if let Err(e) = p.start() {
        println!("{}", exc(&e));
    }
    let q = Process::new(|| -> PyResult<()> { Err(PyException::ValueError("x".into())) });
    q.start().unwrap();
    q.join(None).unwrap();
    println!("{} {}", q.exitcode().unwrap(), current_process().name);
}
