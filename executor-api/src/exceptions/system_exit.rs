//! `SystemExit`'s argument and the exit status it means.

/// The argument of `SystemExit` / `sys.exit(code)`.
///
/// ```
/// use pyrt_executor::{PyException, SystemExitCode};
/// let e = PyException::SystemExit(SystemExitCode::Message("bye".into())); // sys.exit("bye")
/// assert_eq!(e.to_string(), "SystemExit: bye");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SystemExitCode {
    /// `sys.exit()` / `sys.exit(None)`: exit status 0.
    None,
    /// `sys.exit(n)`: exit status `n`.
    Int(i64),
    /// `sys.exit("message")`: the message goes to stderr, exit status 1.
    Message(String),
}

impl SystemExitCode {
    /// The process exit status CPython uses: 0 for `None`, the number for
    /// `Int` (truncated to `i32` like C's `(int)` cast), 1 for `Message`
    /// (whose text the caller prints to stderr first).
    ///
    /// ```
    /// use pyrt_executor::SystemExitCode;
    /// assert_eq!(SystemExitCode::None.exit_status(), 0);
    /// assert_eq!(SystemExitCode::Int(3).exit_status(), 3);
    /// assert_eq!(SystemExitCode::Message("bye".into()).exit_status(), 1);
    /// ```
    pub fn exit_status(&self) -> i32 {
        match self {
            SystemExitCode::None => 0,
            SystemExitCode::Int(n) => *n as i32,
            SystemExitCode::Message(_) => 1,
        }
    }
}
