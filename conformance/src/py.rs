//! How the twins print values the way Python's `print` does.

use executor_api::PyException;

/// `f"{type(e).__name__}: {e}"`.
pub fn exc(e: &PyException) -> String {
    format!("{}: {}", e.name(), e.message())
}

/// `str(b)` for a bool.
pub fn b(x: bool) -> &'static str {
    if x {
        "True"
    } else {
        "False"
    }
}

/// `str(list)` for numbers: `[1, 2, 3]`.
pub fn list<T: std::fmt::Display>(items: &[T]) -> String {
    let inner: Vec<String> = items.iter().map(|x| x.to_string()).collect();
    format!("[{}]", inner.join(", "))
}

/// `str(list)` for strings: `['a', 'b']`.
pub fn strs<S: AsRef<str>>(items: &[S]) -> String {
    let inner: Vec<String> = items.iter().map(|s| format!("'{}'", s.as_ref())).collect();
    format!("[{}]", inner.join(", "))
}
