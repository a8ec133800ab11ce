//! Twin of `cases/mp_value_array.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    fn add(v: &Value<i32>, n: usize) -> PyResult<()> {
        for _ in 0..n {
            let _g = v.get_lock().with()?;
            v.set(v.get() + 1);
        }
        Ok(())
    }
    let v = Value::new(0i32);
    let ps: Vec<Process> = (0..4)
        .map(|_| {
            let v = v.clone();
            Process::new(move || add(&v, 500))
        })
        .collect();
    for p in &ps {
        p.start().unwrap();
    }
    for p in &ps {
        p.join(None).unwrap();
    }
    println!("{}", v.get());
    let a = Array::new(vec![1, 2, 3]);
    a.set(-1, 30).unwrap();
    println!("{} {} {}", list(&a.to_vec()), a.len(), a.get(0).unwrap());
    if let Err(e) = a.get(5) {
        println!("{}", exc(&e));
    }
}
