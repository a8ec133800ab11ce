//! Twin of `cases/sys_exit_message.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() -> PyResult<()> {
    atexit::register(|| println!("handler"));
    println!("main");
    Err(sys::exit("bye"))
}
