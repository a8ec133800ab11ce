//! Twin of `cases/process_sys_exit.py`.

#[allow(unused_imports)]
use super::prelude::*;

fn exit0() -> PyResult<()> {
    Err(sys::exit(0))
}

fn exit5() -> PyResult<()> {
    Err(sys::exit(5))
}

fn exit_msg() -> PyResult<()> {
    Err(sys::exit("leaving"))
}

fn exit_bare() -> PyResult<()> {
    Err(sys::exit(()))
}

fn exit_none() -> PyResult<()> {
    Err(sys::exit(None))
}

fn boom() -> PyResult<()> {
    Err(PyException::ValueError("x".into()))
}

pub fn run() -> PyResult<()> {
    let targets: [(&str, super::MainBody); 6] = [
        ("exit0", exit0),
        ("exit5", exit5),
        ("exit_msg", exit_msg),
        ("exit_bare", exit_bare),
        ("exit_none", exit_none),
        ("boom", boom),
    ];
    for (name, target) in targets {
        let p = Process::new(target);
        p.start()?;
        p.join(None)?;
        println!("{name} {}", p.exitcode().unwrap());
    }
    let p = Process::new(exit0);
    p.set_daemon(true)?;
    println!("{}", b(p.daemon()));
    p.start()?;
    if let Err(e) = p.set_daemon(false) {
        println!("{}", exc(&e));
    }
    p.join(None)?;
    println!("{} {}", p.exitcode().unwrap(), active_children().len());
    Ok(())
}
