//! Panics: turning a payload into a message, reporting what we must ignore.

use std::any::Any;

/// The message of a panic payload (`&str` or `String`), or a placeholder.
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
pub(crate) fn report(what: &str, payload: &Box<dyn Any + Send>) {
    eprintln!(
        "scheduler: {what} panicked and was ignored: {}",
        payload_message(payload.as_ref())
    );
}
