//! Twin of `cases/future_callback_raises.py`: the logging handler is a
//! `log` logger.

#[allow(unused_imports)]
use super::prelude::*;
use executor_api::report::FUTURES_LOGGER;

struct Show;

impl log::Log for Show {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.target() == FUTURES_LOGGER
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        // The message, then the exception's last traceback line.
        let text = record.args().to_string();
        let (message, exception) = text.split_once('\n').unwrap_or((&text, ""));
        let prefix = message.starts_with("exception calling callback for <Future");
        println!(
            "{} {} {} {exception}",
            record.target(),
            record.level(),
            b(prefix)
        );
    }

    fn flush(&self) {}
}

fn bad(f: &Future<u64>) -> PyResult<()> {
    Err(PyException::ValueError(format!(
        "callback failed for {}",
        f.result(None)?
    )))
}

pub fn run() {
    log::set_logger(&Show).unwrap();
    log::set_max_level(log::LevelFilter::Error);
    let ran: Arc<Mutex<Vec<String>>> = Arc::default();
    let f: Future<u64> = Future::new();
    let r = ran.clone();
    f.add_done_callback(move |_| r.lock().unwrap().push("first".into()));
    f.add_done_callback(bad);
    let r = ran.clone();
    f.add_done_callback(move |_| r.lock().unwrap().push("last".into()));
    f.set_result(42).unwrap();
    println!("{} {}", strs(&ran.lock().unwrap()), f.result(None).unwrap());
    f.add_done_callback(bad);
    println!("still here");
}
