//! Twin of `cases/mp_queues.py`.

#[allow(unused_imports)]
use super::prelude::*;
use executor_api::multiprocessing::{cpu_count, JoinableQueue, Queue as MpQueue};

fn produce(q: &MpQueue<Option<u64>>, n: u64) -> PyResult<()> {
    for i in 0..n {
        q.put(Some(i), None, None)?;
    }
    q.put(None, None, None)
}

fn work(jq: &JoinableQueue<Option<u64>>, out: &MpQueue<u64>) -> PyResult<()> {
    loop {
        let item = jq.get(None, None)?;
        match item {
            None => {
                jq.task_done()?;
                break;
            }
            Some(x) => {
                out.put(x * 10, None, None)?;
                jq.task_done()?;
            }
        }
    }
    Ok(())
}

pub fn run() {
    println!("{} {}", b(cpu_count() >= 1), current_process().name);
    let q: MpQueue<Option<u64>> = MpQueue::new(None);
    let q2 = q.clone();
    let p = Process::new(move || produce(&q2, 3));
    p.start().unwrap();
    let mut got = Vec::new();
    while let Some(x) = q.get(None, None).unwrap() {
        got.push(x);
    }
    p.join(None).unwrap();
    println!("{} {}", list(&got), p.exitcode().unwrap());
    let jq: JoinableQueue<Option<u64>> = JoinableQueue::new(None);
    let out: MpQueue<u64> = MpQueue::new(None);
    let (jq2, out2) = (jq.clone(), out.clone());
    let w = Process::new(move || work(&jq2, &out2));
    w.start().unwrap();
    for i in 0..3 {
        jq.put(Some(i), None, None).unwrap();
    }
    jq.put(None, None, None).unwrap();
    jq.join();
    let mut r: Vec<u64> = (0..3).map(|_| out.get(None, None).unwrap()).collect();
    r.sort();
    println!("{}", list(&r));
    w.join(None).unwrap();
    println!("{} {}", w.exitcode().unwrap(), b(jq.empty()));
}
