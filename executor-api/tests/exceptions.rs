//! The exception class tree, checked against CPython 3.11's facts
//! (`issubclass`, `isinstance`, `except Base:`, `str(e)`).

use std::time::Duration;

use pyrt_executor::concurrent::futures::{Future, ThreadPoolExecutor};
use pyrt_executor::multiprocessing::Pool;
use pyrt_executor::{PyClass, PyException, PyResult, SystemExitCode};

fn err(class: PyClass) -> PyException {
    PyException::with_class(class, "")
}

#[test]
fn broken_pools_are_broken_executors_and_runtime_errors_not_os_errors() {
    for class in [PyClass::BrokenThreadPool, PyClass::BrokenProcessPool] {
        let e = err(class.clone());
        assert!(e.is_instance_of(&PyClass::BrokenExecutor), "{class}");
        assert!(e.is_instance_of(&PyClass::RuntimeError), "{class}");
        assert!(e.is_instance_of(&PyClass::Exception), "{class}");
        assert!(e.is_instance_of(&PyClass::BaseException), "{class}");
        assert!(!e.is_instance_of(&PyClass::OSError), "{class}");
        assert_eq!(class.base(), Some(PyClass::BrokenExecutor));
    }
    assert_eq!(PyClass::BrokenExecutor.base(), Some(PyClass::RuntimeError));
    assert_eq!(
        PyClass::BrokenThreadPool.mro(),
        [
            PyClass::BrokenThreadPool,
            PyClass::BrokenExecutor,
            PyClass::RuntimeError,
            PyClass::Exception,
            PyClass::BaseException
        ]
    );
    assert_eq!(
        PyClass::BrokenThreadPool.to_string(),
        "<class 'concurrent.futures.thread.BrokenThreadPool'>"
    );
}

#[test]
fn runtime_error_subclasses() {
    for class in [
        PyClass::BrokenBarrierError,
        PyClass::RecursionError,
        PyClass::NotImplementedError,
    ] {
        assert_eq!(class.base(), Some(PyClass::RuntimeError), "{class}");
    }
}

#[test]
fn timeout_error_is_an_os_error_but_multiprocessing_timeout_error_is_a_process_error() {
    let builtin = PyException::TimeoutError(String::new());
    assert!(builtin.is_instance_of(&PyClass::OSError));
    assert!(!builtin.is_instance_of(&PyClass::ProcessError));

    let mp = PyException::MpTimeoutError(String::new());
    assert_eq!(mp.name(), "TimeoutError");
    assert_eq!(mp.to_string(), "TimeoutError");
    assert!(mp.is_instance_of(&PyClass::ProcessError));
    assert!(mp.is_instance_of(&PyClass::Exception));
    assert!(!mp.is_instance_of(&PyClass::OSError));
    assert!(!mp.is_instance_of(&PyClass::TimeoutError));
    assert_ne!(PyClass::MpTimeoutError, PyClass::TimeoutError);
    assert_eq!(PyClass::MpTimeoutError.module(), "multiprocessing.context");
    for class in [PyClass::BufferTooShort, PyClass::AuthenticationError] {
        assert_eq!(class.base(), Some(PyClass::ProcessError));
    }
}

#[test]
fn os_error_family() {
    assert!(PyClass::BrokenPipeError.is_subclass_of(&PyClass::ConnectionError));
    assert!(PyClass::ConnectionError.is_subclass_of(&PyClass::OSError));
    assert!(!PyClass::OSError.is_subclass_of(&PyClass::ConnectionError));
}

#[test]
fn futures_errors_derive_from_concurrent_futures_error() {
    for class in [PyClass::CancelledError, PyClass::InvalidStateError] {
        assert_eq!(class.base(), Some(PyClass::FuturesError));
        assert!(class.is_subclass_of(&PyClass::Exception));
        assert!(!class.is_subclass_of(&PyClass::RuntimeError));
    }
    assert_eq!(PyClass::FuturesError.name(), "Error");
    assert_eq!(PyClass::FuturesError.module(), "concurrent.futures._base");
}

#[test]
fn system_exit_keyboard_interrupt_and_panics_are_not_exceptions() {
    for e in [
        PyException::SystemExit(SystemExitCode::Int(3)),
        PyException::KeyboardInterrupt(String::new()),
        PyException::PanicException("boom".into()),
    ] {
        assert!(!e.is_instance_of(&PyClass::Exception), "{e}");
        assert!(e.is_instance_of(&PyClass::BaseException), "{e}");
        assert_eq!(e.class().base(), Some(PyClass::BaseException));
    }
}

#[test]
fn system_exit_display_message_and_status() {
    let none = PyException::SystemExit(SystemExitCode::None);
    assert_eq!(none.to_string(), "SystemExit");
    assert_eq!(none.message(), "");
    let three = PyException::SystemExit(SystemExitCode::Int(3));
    assert_eq!(three.to_string(), "SystemExit: 3");
    assert_eq!(three.message(), "3");
    let bye = PyException::SystemExit(SystemExitCode::Message("bye".into()));
    assert_eq!(bye.to_string(), "SystemExit: bye");
    assert_eq!(
        [
            SystemExitCode::None,
            SystemExitCode::Int(3),
            SystemExitCode::Message("bye".into())
        ]
        .map(|c| c.exit_status()),
        [0, 3, 1]
    );
    assert_eq!(PyException::with_class(PyClass::SystemExit, ""), none);
}

#[test]
fn arithmetic_and_lookup_errors() {
    for class in [PyClass::OverflowError, PyClass::ZeroDivisionError] {
        assert_eq!(class.base(), Some(PyClass::ArithmeticError));
    }
    for class in [PyClass::KeyError, PyClass::IndexError] {
        assert_eq!(class.base(), Some(PyClass::LookupError));
    }
    let e = PyException::KeyError("'k'".into());
    assert!(e.is_instance_of_any(&[PyClass::ValueError, PyClass::LookupError]));
    assert!(!e.is_instance_of_any(&[PyClass::ValueError, PyClass::TypeError]));
    assert_eq!(
        PyException::timeout_too_large().to_string(),
        "OverflowError: timeout value is too large"
    );
}

#[test]
fn queue_exceptions_are_plain_exceptions() {
    assert_eq!(PyClass::Empty.base(), Some(PyClass::Exception));
    assert_eq!(PyClass::Full.base(), Some(PyClass::Exception));
}

#[test]
fn every_builtin_but_the_root_reaches_base_exception_once() {
    for class in PyClass::BUILTINS {
        let mro = class.mro();
        assert_eq!(mro.last(), Some(&PyClass::BaseException), "{class}");
        assert_eq!(mro.iter().filter(|c| *c == class).count(), 1);
        assert_eq!(PyException::with_class(class.clone(), "m").class(), *class);
    }
}

#[test]
fn user_classes_chain_and_are_caught_by_any_base() {
    let my_err = PyClass::user("MyErr", PyClass::ValueError);
    let sub = PyClass::user("Sub", my_err.clone());
    let e = PyException::with_class(sub.clone(), "deep");
    assert_eq!(e.to_string(), "Sub: deep");
    assert_eq!(e.class(), sub);
    assert!(e.is_instance_of(&sub));
    assert!(e.is_instance_of(&my_err));
    assert!(e.is_instance_of(&PyClass::ValueError));
    assert!(e.is_instance_of(&PyClass::Exception));
    assert!(!e.is_instance_of(&PyClass::TypeError));
    assert!(!my_err.is_subclass_of(&sub));
    assert_eq!(sub.bases(), std::slice::from_ref(&my_err));
    assert_eq!(sub.mro().len(), 5);
    assert_eq!(sub.module(), "__main__");
    assert_eq!(sub.to_string(), "<class '__main__.Sub'>");
    // A class with the same name but another base is another class.
    assert_ne!(PyClass::user("MyErr", PyClass::TypeError), my_err);
    // PyException::new is `class name(Exception)`.
    let plain = PyException::new("MyError", "custom failure");
    assert_eq!(plain.class().base(), Some(PyClass::Exception));
    assert_eq!(plain.to_string(), "MyError: custom failure");
}

#[test]
fn builtin_classes_without_a_variant_are_raised_as_other() {
    let e = PyException::with_class(PyClass::LookupError, "x");
    assert!(matches!(e, PyException::Other { .. }));
    assert_eq!(e.to_string(), "LookupError: x");
    assert_eq!(
        PyException::with_class(PyClass::ValueError, "x"),
        PyException::ValueError("x".into())
    );
}

#[test]
fn a_user_exception_raised_in_a_task_is_caught_by_its_base() -> PyResult<()> {
    let my_err = PyClass::user("MyErr", PyClass::ValueError);
    let ex = ThreadPoolExecutor::new(Some(2))?;
    let class = my_err.clone();
    let f: Future<u32> =
        ex.submit(move || -> PyResult<u32> { Err(PyException::with_class(class, "no")) })?;
    let e = f.result(None).unwrap_err();
    assert!(e.is_instance_of(&PyClass::ValueError));
    assert_eq!(e.class(), my_err);
    Ok(())
}

#[test]
fn a_broken_thread_pool_is_caught_as_runtime_error() -> PyResult<()> {
    let ex = ThreadPoolExecutor::builder()
        .max_workers(Some(1))
        .initializer(|| -> PyResult<()> { Err(PyException::ValueError("init".into())) })
        .build()?;
    let e = ex.submit(|| 1u8).and_then(|f| f.result(None)).unwrap_err();
    assert!(e.is_instance_of(&PyClass::RuntimeError), "{e}");
    assert!(e.is_instance_of(&PyClass::BrokenExecutor), "{e}");
    Ok(())
}

#[test]
fn pool_async_result_get_times_out_with_multiprocessing_timeout_error() -> PyResult<()> {
    let pool = Pool::new(Some(1))?;
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let r = pool.apply_async(move || rx.recv().is_ok(), None, None)?;
    let e = r.get(Some(Duration::from_millis(10))).unwrap_err();
    assert!(e.is_instance_of(&PyClass::ProcessError), "{e}");
    assert!(!e.is_instance_of(&PyClass::OSError), "{e}");
    tx.send(()).unwrap();
    assert!(r.get(None)?);
    Ok(())
}

#[test]
fn a_std_error_raised_with_question_mark_in_a_task_is_cpythons_class() -> PyResult<()> {
    // def task(): open("/no/such/file").read()  ->  FileNotFoundError, an OSError
    let ex = ThreadPoolExecutor::new(Some(1))?;
    let f: Future<String> =
        ex.submit(|| -> PyResult<String> { Ok(std::fs::read_to_string("/no/such/dir/file")?) })?;
    let e = f.result(None).unwrap_err();
    assert_eq!(e.class(), PyClass::FileNotFoundError);
    assert!(e.is_instance_of(&PyClass::OSError)); // except OSError:
    assert_eq!(
        e.to_string(),
        "FileNotFoundError: [Errno 2] No such file or directory"
    );
    // int("x") in a task: ValueError; bytes.decode() of bad bytes: UnicodeDecodeError.
    let f: Future<i64> = ex.submit(|| -> PyResult<i64> { Ok("x".parse::<i64>()?) })?;
    assert!(f
        .result(None)
        .unwrap_err()
        .is_instance_of(&PyClass::ValueError));
    let f: Future<String> =
        ex.submit(|| -> PyResult<String> { Ok(String::from_utf8(vec![0xff])?) })?;
    let e = f.result(None).unwrap_err();
    assert!(e.is_instance_of(&PyClass::UnicodeError));
    assert!(e.is_instance_of(&PyClass::ValueError));
    Ok(())
}

#[test]
fn every_io_error_kind_cpython_names_has_its_os_error_subclass() {
    use std::io::ErrorKind as K;
    // CPython 3.11's errno -> class table (PEP 3151), by Rust's kind.
    let table = [
        (K::NotFound, PyClass::FileNotFoundError),
        (K::PermissionDenied, PyClass::PermissionError),
        (K::AlreadyExists, PyClass::FileExistsError),
        (K::IsADirectory, PyClass::IsADirectoryError),
        (K::NotADirectory, PyClass::NotADirectoryError),
        (K::Interrupted, PyClass::InterruptedError),
        (K::WouldBlock, PyClass::BlockingIOError),
        (K::TimedOut, PyClass::TimeoutError),
        (K::BrokenPipe, PyClass::BrokenPipeError),
        (K::ConnectionRefused, PyClass::ConnectionRefusedError),
        (K::ConnectionReset, PyClass::ConnectionResetError),
        (K::ConnectionAborted, PyClass::ConnectionAbortedError),
        (K::InvalidInput, PyClass::OSError),
    ];
    for (kind, class) in table {
        let e = PyException::from(std::io::Error::new(kind, "m"));
        assert_eq!(e.class(), class, "{kind:?}");
        assert!(e.is_instance_of(&PyClass::OSError), "{kind:?}");
        assert_eq!(e.message(), "m");
    }
    for class in [
        PyClass::ConnectionRefusedError,
        PyClass::ConnectionResetError,
        PyClass::ConnectionAbortedError,
    ] {
        assert_eq!(class.base(), Some(PyClass::ConnectionError));
    }
}
