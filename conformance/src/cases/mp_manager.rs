//! Twin of `cases/mp_manager.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let m = Manager::new();
    let d = m.dict::<String, i32>();
    let l = m.list(Vec::<i32>::new());
    let ps: Vec<Process> = (0..3)
        .map(|i| {
            let (d, l) = (d.clone(), l.clone());
            Process::new(move || {
                d.set(format!("k{i}"), i);
                l.append(i);
            })
        })
        .collect();
    for p in &ps {
        p.start().unwrap();
    }
    for p in &ps {
        p.join(None).unwrap();
    }
    let mut items = d.items();
    items.sort();
    let items: Vec<String> = items.iter().map(|(k, v)| format!("('{k}', {v})")).collect();
    let mut lv = l.to_vec();
    lv.sort();
    println!("[{}] {}", items.join(", "), list(&lv));
    if let Err(e) = d.get(&"zz".to_string()) {
        println!("{}", exc(&e));
    }
    let ns = m.namespace::<i32>();
    ns.set("x", 5);
    println!("{}", ns.get("x").unwrap());
    if let Err(e) = ns.get("y") {
        println!("{}", exc(&e));
    }
    m.shutdown();
}
