//! multiprocessing on threads: Process, Pipe, Value/Array, Manager, queues.

use pyrt_executor::multiprocessing::{
    current_process, Array, JoinableQueue, Manager, Pipe, Process, Queue, Value,
};
use pyrt_executor::{PyException, PyResult};

#[test]
fn processes_start_join_and_exit_codes() -> PyResult<()> {
    let p = Process::new(|| assert_eq!(current_process().name, "worker-proc"));
    assert!(p.name().starts_with("Process-"));
    let named = Process::with_name("worker-proc", || {
        assert_eq!(current_process().name, "worker-proc");
    });
    assert_eq!(
        named.join(None).unwrap_err().to_string(),
        "AssertionError: can only join a started process"
    );
    assert_eq!(named.exitcode(), None);
    named.start()?;
    assert_eq!(
        named.start().unwrap_err().to_string(),
        "AssertionError: cannot start a process twice"
    );
    named.join(None)?;
    assert_eq!(named.exitcode(), Some(0));
    assert!(!named.is_alive() && named.pid().is_some());
    assert_eq!(named.ident(), named.pid());
    // `p` asserts a wrong name: its panic is exit code 1.
    p.start()?;
    p.join(None)?;
    assert_eq!(p.exitcode(), Some(1));
    let raises = Process::new(|| -> PyResult<()> { Err(PyException::ValueError("x".into())) });
    raises.start()?;
    raises.join(None)?;
    assert_eq!(raises.exitcode(), Some(1));
    assert_eq!(current_process().name, "MainProcess");
    Ok(())
}

#[test]
fn pipes_duplex_one_way_and_closed() -> PyResult<()> {
    let (a, b) = Pipe::<String>(None);
    let child = Process::new(move || -> PyResult<()> {
        let msg = b.recv()?;
        b.send(msg.to_uppercase())
    });
    child.start()?;
    a.send("hello".into())?;
    assert_eq!(a.recv()?, "HELLO");
    child.join(None)?;
    assert_eq!(child.exitcode(), Some(0));

    let (r, w) = Pipe::<u8>(Some(false));
    assert_eq!(
        r.send(1).unwrap_err().to_string(),
        "OSError: connection is read-only"
    );
    assert_eq!(
        w.recv().unwrap_err().to_string(),
        "OSError: connection is write-only"
    );
    assert!(!r.poll(None)?);
    w.send(7)?;
    assert!(r.poll(Some(1.0))?);
    assert_eq!(r.recv()?, 7);
    w.close();
    assert_eq!(r.recv().unwrap_err().name(), "EOFError");
    assert_eq!(
        w.send(1).unwrap_err().to_string(),
        "OSError: handle is closed"
    );
    Ok(())
}

#[test]
fn value_updates_under_its_lock_are_exact() -> PyResult<()> {
    let v = Value::new(0u64);
    let procs: Vec<Process> = (0..4)
        .map(|_| {
            let v = v.clone();
            Process::new(move || -> PyResult<()> {
                for _ in 0..1000 {
                    let _g = v.get_lock().with()?;
                    v.set(v.get() + 1);
                }
                Ok(())
            })
        })
        .collect();
    for p in &procs {
        p.start()?;
    }
    for p in &procs {
        p.join(None)?;
        assert_eq!(p.exitcode(), Some(0));
    }
    assert_eq!(v.get(), 4000);
    let a = Array::new(vec![1, 2, 3]);
    a.set(-1, 30)?;
    assert_eq!(a.get(-1)?, 30);
    assert_eq!(a.to_vec(), vec![1, 2, 30]);
    assert_eq!(a.len(), 3);
    assert_eq!(
        a.get(3).unwrap_err().to_string(),
        "IndexError: invalid index"
    );
    Ok(())
}

#[test]
fn manager_objects_are_shared_between_processes() -> PyResult<()> {
    let m = Manager::new();
    let d = m.dict::<String, u32>();
    let l = m.list(vec![0u32]);
    let ns = m.namespace::<u32>();
    let q = m.queue::<u32>(None);
    let procs: Vec<Process> = (1..=3u32)
        .map(|i| {
            let (d, l, q) = (d.clone(), l.clone(), q.clone());
            Process::new(move || -> PyResult<()> {
                d.set(format!("k{i}"), i);
                l.append(i);
                q.put(i * 10, None, None)
            })
        })
        .collect();
    for p in &procs {
        p.start()?;
    }
    for p in &procs {
        p.join(None)?;
    }
    assert_eq!(d.len(), 3);
    assert_eq!(d.get(&"k2".to_string())?, 2);
    assert_eq!(
        d.get(&"zz".to_string()).unwrap_err().to_string(),
        "KeyError: 'zz'"
    );
    let mut items = l.to_vec();
    items.sort();
    assert_eq!(items, vec![0, 1, 2, 3]);
    assert_eq!(
        l.get(9).unwrap_err().to_string(),
        "IndexError: list index out of range"
    );
    let mut got: Vec<u32> = (0..3).map(|_| q.get(None, None).unwrap()).collect();
    got.sort();
    assert_eq!(got, vec![10, 20, 30]);
    ns.set("x", 1);
    assert_eq!(ns.get("x")?, 1);
    assert_eq!(
        ns.get("y").unwrap_err().to_string(),
        "AttributeError: 'Namespace' object has no attribute 'y'"
    );
    Ok(())
}

#[test]
fn queues_between_processes() -> PyResult<()> {
    let q: Queue<u32> = Queue::new(None);
    assert_eq!(q.get(Some(true), Some(0.01)).unwrap_err().name(), "Empty");
    let jq: JoinableQueue<u32> = JoinableQueue::new(None);
    let (jq2, q2) = (jq.clone(), q.clone());
    let consumer = Process::new(move || -> PyResult<()> {
        for _ in 0..5 {
            let x = jq2.get(None, None)?;
            q2.put(x * 2, None, None)?;
            jq2.task_done()?;
        }
        Ok(())
    });
    consumer.start()?;
    for i in 0..5 {
        jq.put(i, None, None)?;
    }
    jq.join();
    consumer.join(None)?;
    let mut out: Vec<u32> = (0..5).map(|_| q.get_nowait().unwrap()).collect();
    out.sort();
    assert_eq!(out, vec![0, 2, 4, 6, 8]);
    assert_eq!(
        jq.task_done().unwrap_err().to_string(),
        "ValueError: task_done() called too many times"
    );
    Ok(())
}

#[test]
fn closed_queue_refuses_put_and_get() -> PyResult<()> {
    let q: Queue<u32> = Queue::new(Some(1));
    q.put(1, None, None)?;
    assert_eq!(q.put_nowait(2).unwrap_err().name(), "Full");
    assert!(q.full() && q.qsize() == 1);
    let other = q.clone();
    other.close();
    other.close();
    for err in [
        q.put(3, None, None).unwrap_err(),
        q.get_nowait().unwrap_err(),
    ] {
        let text = err.to_string();
        assert!(
            text.starts_with("ValueError: Queue <multiprocessing.queues.Queue object at 0x"),
            "{text}"
        );
        assert!(text.ends_with("> is closed"), "{text}");
    }
    Ok(())
}

#[test]
fn poll_without_limit_waits_for_the_sender() -> PyResult<()> {
    let (a, b) = Pipe::<&str>(None);
    assert!(!a.poll(Some(-1.0))?);
    let sender = Process::new(move || b.send("late"));
    sender.start()?;
    assert!(a.poll(Some(f64::INFINITY))?);
    assert_eq!(a.recv()?, "late");
    sender.join(None)?;
    assert_eq!(sender.exitcode(), Some(0));
    Ok(())
}
