//! Twin of `cases/exception_hierarchy.py`.

#[allow(unused_imports)]
use super::prelude::*;
use executor_api::{PyClass, SystemExitCode};

/// The first of the Python program's except clauses that catches `e`.
fn caught_by(e: &PyException, my_err: &PyClass) -> &'static str {
    if e.is_instance_of(&PyClass::OSError) {
        "OSError"
    } else if e.is_instance_of_any(&[PyClass::LookupError, PyClass::ArithmeticError]) {
        "(LookupError, ArithmeticError)"
    } else if e.is_instance_of(&PyClass::RuntimeError) {
        "RuntimeError"
    } else if e.is_instance_of(my_err) {
        "MyErr"
    } else if e.is_instance_of(&PyClass::Exception) {
        "Exception"
    } else {
        "BaseException"
    }
}

pub fn run() {
    let my_err = PyClass::user("MyErr", PyClass::ValueError);
    let sub = PyClass::user("Sub", my_err.clone());
    let classes = [
        ("BrokenThreadPool", PyClass::BrokenThreadPool),
        ("BrokenProcessPool", PyClass::BrokenProcessPool),
        ("BrokenBarrierError", PyClass::BrokenBarrierError),
        ("TimeoutError", PyClass::TimeoutError),
        ("mp.TimeoutError", PyClass::MpTimeoutError),
        ("CancelledError", PyClass::CancelledError),
        ("InvalidStateError", PyClass::InvalidStateError),
        ("queue.Empty", PyClass::Empty),
        ("BrokenPipeError", PyClass::BrokenPipeError),
        ("RecursionError", PyClass::RecursionError),
        ("NotImplementedError", PyClass::NotImplementedError),
        ("OverflowError", PyClass::OverflowError),
        ("KeyError", PyClass::KeyError),
        ("SystemExit", PyClass::SystemExit),
        ("KeyboardInterrupt", PyClass::KeyboardInterrupt),
        ("Sub", sub.clone()),
    ];
    let bases = [
        ("BaseException", PyClass::BaseException),
        ("Exception", PyClass::Exception),
        ("RuntimeError", PyClass::RuntimeError),
        ("BrokenExecutor", PyClass::BrokenExecutor),
        ("OSError", PyClass::OSError),
        ("ConnectionError", PyClass::ConnectionError),
        ("mp.ProcessError", PyClass::ProcessError),
        ("ArithmeticError", PyClass::ArithmeticError),
        ("LookupError", PyClass::LookupError),
        ("ValueError", PyClass::ValueError),
        ("MyErr", my_err.clone()),
    ];
    for (name, class) in &classes {
        let subs: Vec<&str> = bases
            .iter()
            .filter(|(_, base)| class.is_subclass_of(base))
            .map(|(b, _)| *b)
            .collect();
        println!("{name}: {}", subs.join(" "));
    }

    let raised = vec![
        PyException::with_class(sub, "deep"),
        PyException::with_class(my_err.clone(), "mine"),
        PyException::KeyError("'k'".into()),
        PyException::ZeroDivisionError("division by zero".into()),
        PyException::BrokenPipeError("pipe".into()),
        PyException::SystemExit(SystemExitCode::Int(3)),
        PyException::SystemExit(SystemExitCode::None),
        PyException::KeyboardInterrupt(String::new()),
        PyException::NotImplementedError("later".into()),
    ];
    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    let futures: Vec<Future<()>> = raised
        .into_iter()
        .map(|e| ex.submit(move || -> PyResult<()> { Err(e) }).unwrap())
        .collect();
    for f in &futures {
        if let Err(e) = f.result(None) {
            println!(
                "{} | caught by {} | Exception={}",
                exc(&e),
                caught_by(&e, &my_err),
                b(e.is_instance_of(&PyClass::Exception))
            );
        }
    }
    drop(ex);

    let broken = ThreadPoolExecutor::builder()
        .max_workers(Some(1))
        .initializer(|| -> PyResult<()> { Err(PyException::ValueError("no".into())) })
        .build()
        .unwrap();
    let outcome = broken.submit(|| 0i64).and_then(|f| f.result(None));
    if let Err(e) = outcome {
        if e.is_instance_of(&PyClass::RuntimeError) {
            println!(
                "except RuntimeError: {} BrokenExecutor={}",
                e.name(),
                b(e.is_instance_of(&PyClass::BrokenExecutor))
            );
        }
    }

    let pool = Pool::new(Some(1)).unwrap();
    let gate = Event::new();
    let g = gate.clone();
    let r = pool.apply_async(move || g.wait(None), None, None).unwrap();
    if let Err(e) = r.get(Some(Duration::from_millis(10))) {
        if e.is_instance_of(&PyClass::OSError) {
            println!("multiprocessing timeout caught as OSError");
        } else if e.is_instance_of(&PyClass::ProcessError) {
            println!(
                "except ProcessError: {} builtin={}",
                e.name(),
                b(e.class() == PyClass::TimeoutError)
            );
        }
    }
    gate.set();
    pool.terminate();
    pool.join().unwrap();
}
