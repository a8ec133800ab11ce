//! The `concurrent.futures` and `multiprocessing` loggers, captured by a
//! `log` logger (one per process, hence this binary of its own). Tests run
//! in parallel, so each looks only for the records of its own exceptions.

use std::sync::{Arc, Mutex, Once};

use log::{Level, LevelFilter, Log, Metadata, Record};
use pyrt_executor::concurrent::futures::{Future, ThreadPoolExecutor};
use pyrt_executor::multiprocessing::{AsyncResult, Pool};
use pyrt_executor::report::{FUTURES_LOGGER, MULTIPROCESSING_LOGGER};
use pyrt_executor::{PyException, PyResult};

struct Capture(Mutex<Vec<(String, Level, String)>>);

impl Log for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &Record<'_>) {
        let entry = (
            record.target().to_string(),
            record.level(),
            record.args().to_string(),
        );
        self.0.lock().unwrap().push(entry);
    }
    fn flush(&self) {}
}

static CAPTURE: Capture = Capture(Mutex::new(Vec::new()));

/// The captured records whose message mentions `needle`.
fn records(needle: &str) -> Vec<(String, Level, String)> {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        log::set_logger(&CAPTURE).unwrap();
        log::set_max_level(LevelFilter::Warn);
    });
    CAPTURE
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.2.contains(needle))
        .cloned()
        .collect()
}

#[test]
fn a_callback_that_raises_is_logged_and_the_others_still_run() {
    records("");
    let ran: Arc<Mutex<Vec<&str>>> = Arc::default();
    let f: Future<u8> = Future::new();
    let r = ran.clone();
    f.add_done_callback(move |_| r.lock().unwrap().push("first"));
    f.add_done_callback(|_| -> PyResult<()> { Err(PyException::ValueError("cb-err".into())) });
    f.add_done_callback::<()>(|_| panic!("cb-panic"));
    let r = ran.clone();
    f.add_done_callback(move |_| r.lock().unwrap().push("last"));
    f.set_result(7).unwrap();
    assert_eq!(*ran.lock().unwrap(), ["first", "last"]);
    let logged = |what: &str| {
        (
            FUTURES_LOGGER.to_string(),
            Level::Error,
            format!("exception calling callback for <Future state=finished returned int>\n{what}"),
        )
    };
    assert_eq!(records("cb-err"), [logged("ValueError: cb-err")]);
    assert_eq!(records("cb-panic"), [logged("PanicException: cb-panic")]);
}

#[test]
fn an_initializer_that_raises_is_logged_critical() {
    records("");
    let ex = ThreadPoolExecutor::builder()
        .max_workers(Some(1))
        .initializer(|| -> PyResult<()> { Err(PyException::RuntimeError("init-err".into())) })
        .build()
        .unwrap();
    let r = ex.submit(|| 1u8).unwrap().result(None);
    assert_eq!(r.unwrap_err().name(), "BrokenThreadPool");
    assert_eq!(
        records("init-err"),
        [(
            FUTURES_LOGGER.to_string(),
            Level::Error,
            "Exception in initializer:\nRuntimeError: init-err".to_string()
        )]
    );
}

#[test]
fn pool_callbacks_that_raise_are_logged() {
    records("");
    let pool = Pool::new(Some(1)).unwrap();
    let r = pool
        .apply_async(|| 1u8, Some(Box::new(|_: &u8| panic!("pool-cb"))), None)
        .unwrap();
    assert_eq!(r.get(None), Ok(1));
    let r: AsyncResult<u8> = pool
        .apply_async(
            || -> PyResult<u8> { Err(PyException::ValueError("x".into())) },
            None,
            Some(Box::new(|_: &PyException| panic!("pool-ecb"))),
        )
        .unwrap();
    assert!(r.get(None).is_err());
    assert_eq!(
        records("pool-"),
        [
            (
                MULTIPROCESSING_LOGGER.to_string(),
                Level::Error,
                "Exception in callback:\nPanicException: pool-cb".to_string()
            ),
            (
                MULTIPROCESSING_LOGGER.to_string(),
                Level::Error,
                "Exception in error_callback:\nPanicException: pool-ecb".to_string()
            ),
        ]
    );
}

#[test]
fn a_starvation_rescue_is_logged_as_a_warning_on_the_futures_logger() -> PyResult<()> {
    records("");
    // One worker blocked in `get`, the producer queued behind it.
    let ex = ThreadPoolExecutor::builder()
        .max_workers(Some(1))
        .thread_name_prefix("starved")
        .starvation_rescue(std::time::Duration::from_millis(20))
        .build()?;
    let q: pyrt_executor::queue::Queue<u8> = pyrt_executor::queue::Queue::new(None);
    let (q1, q2) = (q.clone(), q.clone());
    let consumer: Future<u8> = ex.submit(move || q1.get(None, None))?;
    let producer: Future<()> = ex.submit(move || q2.put(3, None, None))?;
    assert_eq!(consumer.result(None)?, 3);
    producer.result(None)?;
    let got = records("every worker of starved");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!((got[0].0.as_str(), got[0].1), (FUTURES_LOGGER, Level::Warn));
    assert!(got[0].2.contains("CPython would have deadlocked here"));
    Ok(())
}
