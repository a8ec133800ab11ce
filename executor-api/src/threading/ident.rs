//! Thread identities: `get_ident()` and `get_native_id()`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The std `main` thread's ident, known before it asks (so
/// `main_thread().ident` is right from any thread).
pub(crate) const MAIN_IDENT: u64 = 1;
static MAIN_CLAIMED: AtomicBool = AtomicBool::new(false);
static NEXT_IDENT: AtomicU64 = AtomicU64::new(MAIN_IDENT + 1);

thread_local! {
    static IDENT: u64 = if scheduler::thread_name().as_deref() == Some("main")
        && !MAIN_CLAIMED.swap(true, Ordering::Relaxed)
    {
        MAIN_IDENT
    } else {
        NEXT_IDENT.fetch_add(1, Ordering::Relaxed)
    };
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
    native_id().unwrap_or_else(get_ident)
}

fn native_id() -> Option<u64> {
    std::fs::read_link("/proc/thread-self")
        .ok()
        .and_then(|p| p.file_name()?.to_str()?.parse().ok())
}

/// The std `main` thread's native id, asked from any thread: on Linux the
/// main thread's id is the process id; elsewhere it is [`MAIN_IDENT`], as
/// [`get_native_id`] falls back to [`get_ident`].
pub(crate) fn main_native_id() -> u64 {
    if get_ident() == MAIN_IDENT {
        return get_native_id();
    }
    match native_id() {
        Some(_) => std::process::id().into(),
        None => MAIN_IDENT,
    }
}
