//! Twin of `cases/sys_exit_code.py`.

#[allow(unused_imports)]
use super::prelude::*;

fn first() {
    println!("first registered, runs last");
}

fn second(name: &str) {
    println!("second registered, runs first: {name}");
}

pub fn run() -> PyResult<()> {
    atexit::register(first);
    atexit::register(|| second("x"));
    println!("main");
    return Err(sys::exit(3));
    #[allow(unreachable_code)]
    {
        println!("not reached");
        Ok(())
    }
}
