//! Panics: turning a payload into a message, reporting what we must ignore.

use std::any::Any;
use std::io::Write;

/// The message of a panic payload (`&str` or `String`), or a placeholder.
///
/// ```
/// let payload = std::panic::catch_unwind(|| panic!("boom {}", 42)).unwrap_err();
/// assert_eq!(pyrt_scheduler::ext::payload_message(payload.as_ref()), "boom 42");
/// ```
pub fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "Box<dyn Any>".to_owned()
    }
}

/// Reports a panic that nobody can receive (as CPython logs an exception
/// raised in a done-callback and goes on).
/// The write's error is ignored: a closed or full stderr must not turn the
/// report into a second panic (`eprintln!` would).
pub(crate) fn report(what: &str, payload: &Box<dyn Any + Send>) {
    let text = format!(
        "scheduler: {what} panicked and was ignored: {}\n",
        payload_message(payload.as_ref())
    );
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
