//! Twin of `cases/mp_pipe.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let (a, b2) = Pipe::<String>(None);
    let p = Process::new(move || -> PyResult<()> {
        let msg = b2.recv()?;
        b2.send(msg.to_uppercase())
    });
    p.start().unwrap();
    a.send("hello".into()).unwrap();
    println!("{}", a.recv().unwrap());
    p.join(None).unwrap();
    let (r, w) = Pipe::<i32>(Some(false));
    if let Err(e) = r.send(1) {
        println!("{}", exc(&e));
    }
    println!("{}", b(r.poll(None).unwrap()));
    w.send(7).unwrap();
    println!("{} {}", b(r.poll(Some(1.0)).unwrap()), r.recv().unwrap());
    w.close();
    if let Err(e) = r.recv() {
        println!("{}", exc(&e));
    }
}
