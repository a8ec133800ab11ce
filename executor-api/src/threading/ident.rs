//! Thread identities: `get_ident()` and `get_native_id()`.

use std::sync::atomic::{AtomicU64, Ordering};

static NEXT_IDENT: AtomicU64 = AtomicU64::new(1);

thread_local! {
    static IDENT: u64 = NEXT_IDENT.fetch_add(1, Ordering::Relaxed);
}

/// `threading.get_ident()`: a nonzero number unique to the calling thread
/// for the life of the process (ours are small integers, not addresses).
///
/// ```
/// let a = executor_api::threading::get_ident();
/// let b = std::thread::spawn(executor_api::threading::get_ident).join().unwrap();
/// assert_ne!(a, b);
/// assert_eq!(a, executor_api::threading::get_ident());
/// ```
pub fn get_ident() -> u64 {
    IDENT.with(|i| *i)
}

/// `threading.get_native_id()`: the operating system's thread id where we
/// can read it (Linux: `/proc/thread-self`), else [`get_ident`].
///
/// ```
/// assert!(executor_api::threading::get_native_id() > 0);
/// ```
pub fn get_native_id() -> u64 {
    std::fs::read_link("/proc/thread-self")
        .ok()
        .and_then(|p| p.file_name()?.to_str()?.parse().ok())
        .unwrap_or_else(get_ident)
}
