//! Rust's standard errors as the Python exceptions CPython raises for the
//! same failure, so `?` works on std calls inside code that returns
//! [`PyResult`](super::PyResult).
//!
//! - [`std::io::Error`] becomes the `OSError` subclass CPython picks for its
//!   errno (`FileNotFoundError`, `PermissionError`, `TimeoutError`, ...; see
//!   [`io_error_class`]), with CPython's message `[Errno 2] No such file or
//!   directory` for an operating-system error and the error's own text
//!   otherwise; an [`ErrorKind::UnexpectedEof`](std::io::ErrorKind) is `EOFError`.
//! - [`std::num::ParseIntError`] and [`std::num::ParseFloatError`] are
//!   `ValueError` (Rust's message: the input is not kept),
//!   [`std::num::TryFromIntError`] is `OverflowError`.
//! - [`std::string::FromUtf8Error`] is `UnicodeDecodeError` with CPython's
//!   message (`'utf-8' codec can't decode byte 0xff in position 0: invalid
//!   start byte`); [`std::str::Utf8Error`] too, without the byte's value,
//!   which it does not carry.

use std::io::ErrorKind;

use super::{PyClass, PyException};

/// The exception class CPython raises for an I/O error of this kind (its
/// errno mapping, `PEP 3151`): `NotFound` is `FileNotFoundError`,
/// `TimedOut` is `TimeoutError`, kinds without a subclass are `OSError`.
///
/// ```
/// use std::io::ErrorKind;
/// use pyrt_executor::exceptions::io_error_class;
/// use pyrt_executor::PyClass;
/// assert_eq!(io_error_class(ErrorKind::NotFound), PyClass::FileNotFoundError);
/// assert_eq!(io_error_class(ErrorKind::Other), PyClass::OSError);
/// ```
pub fn io_error_class(kind: ErrorKind) -> PyClass {
    match kind {
        ErrorKind::NotFound => PyClass::FileNotFoundError,
        ErrorKind::PermissionDenied => PyClass::PermissionError,
        ErrorKind::AlreadyExists => PyClass::FileExistsError,
        ErrorKind::IsADirectory => PyClass::IsADirectoryError,
        ErrorKind::NotADirectory => PyClass::NotADirectoryError,
        ErrorKind::Interrupted => PyClass::InterruptedError,
        ErrorKind::WouldBlock => PyClass::BlockingIOError,
        ErrorKind::TimedOut => PyClass::TimeoutError,
        ErrorKind::BrokenPipe => PyClass::BrokenPipeError,
        ErrorKind::ConnectionRefused => PyClass::ConnectionRefusedError,
        ErrorKind::ConnectionReset => PyClass::ConnectionResetError,
        ErrorKind::ConnectionAborted => PyClass::ConnectionAbortedError,
        ErrorKind::UnexpectedEof => PyClass::EOFError,
        _ => PyClass::OSError,
    }
}

impl From<std::io::Error> for PyException {
    /// `open("/nope")`'s error: `FileNotFoundError: [Errno 2] No such file
    /// or directory` (CPython adds the file name, which `io::Error` does
    /// not carry).
    ///
    /// ```
    /// use pyrt_executor::{PyClass, PyException, PyResult};
    /// fn read(path: &str) -> PyResult<String> {
    ///     Ok(std::fs::read_to_string(path)?)
    /// }
    /// let e = read("/no/such/file").unwrap_err();
    /// assert!(e.is_instance_of(&PyClass::OSError));
    /// assert_eq!(e.to_string(), "FileNotFoundError: [Errno 2] No such file or directory");
    /// let e: PyException = std::io::Error::new(std::io::ErrorKind::TimedOut, "slow").into();
    /// assert_eq!(e.to_string(), "TimeoutError: slow");
    /// ```
    fn from(e: std::io::Error) -> Self {
        let class = io_error_class(e.kind());
        let message = match e.raw_os_error() {
            // std's text is `strerror` followed by ` (os error N)`.
            Some(errno) => {
                let text = e.to_string();
                let suffix = format!(" (os error {errno})");
                let strerror = text.strip_suffix(&suffix).unwrap_or(&text);
                format!("[Errno {errno}] {strerror}")
            }
            None => match e.into_inner() {
                Some(inner) => inner.to_string(),
                None => String::new(),
            },
        };
        PyException::with_class(class, message)
    }
}

impl From<std::num::ParseIntError> for PyException {
    /// `int("abc")`: `ValueError` with Rust's message.
    ///
    /// ```
    /// use pyrt_executor::{PyException, PyResult};
    /// fn parse(s: &str) -> PyResult<i64> { Ok(s.parse::<i64>()?) }
    /// assert_eq!(parse("abc").unwrap_err().to_string(), "ValueError: invalid digit found in string");
    /// ```
    fn from(e: std::num::ParseIntError) -> Self {
        PyException::ValueError(e.to_string())
    }
}

impl From<std::num::ParseFloatError> for PyException {
    /// `float("abc")`: `ValueError` with Rust's message.
    ///
    /// ```
    /// use pyrt_executor::PyException;
    /// let e: PyException = "x".parse::<f64>().unwrap_err().into();
    /// assert_eq!(e.to_string(), "ValueError: invalid float literal");
    /// ```
    fn from(e: std::num::ParseFloatError) -> Self {
        PyException::ValueError(e.to_string())
    }
}

impl From<std::num::TryFromIntError> for PyException {
    /// A number too large for the target type: `OverflowError`, as CPython
    /// converting a Python int to a C integer.
    ///
    /// ```
    /// use pyrt_executor::PyException;
    /// let e: PyException = u8::try_from(300i32).unwrap_err().into();
    /// assert_eq!(e.to_string(), "OverflowError: out of range integral type conversion attempted");
    /// ```
    fn from(e: std::num::TryFromIntError) -> Self {
        PyException::OverflowError(e.to_string())
    }
}

impl From<std::string::FromUtf8Error> for PyException {
    /// `bytes.decode()` of bytes that are not UTF-8: CPython's
    /// `UnicodeDecodeError` message.
    ///
    /// ```
    /// use pyrt_executor::{PyClass, PyException};
    /// let e: PyException = String::from_utf8(vec![b'a', 0xff]).unwrap_err().into();
    /// assert!(e.is_instance_of(&PyClass::ValueError));
    /// assert_eq!(
    ///     e.to_string(),
    ///     "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 1: invalid start byte"
    /// );
    /// ```
    fn from(e: std::string::FromUtf8Error) -> Self {
        let message = utf8_message(e.as_bytes(), &e.utf8_error());
        PyException::with_class(PyClass::UnicodeDecodeError, message)
    }
}

impl From<std::str::Utf8Error> for PyException {
    /// `UnicodeDecodeError` for bytes that are not UTF-8; the error has no
    /// bytes, so the message gives the position only: `'utf-8' codec can't
    /// decode byte in position 1: invalid start or continuation byte`.
    ///
    /// ```
    /// use pyrt_executor::PyException;
    /// let e: PyException = std::str::from_utf8(&[b'a', 0xff]).unwrap_err().into();
    /// assert_eq!(
    ///     e.to_string(),
    ///     "UnicodeDecodeError: 'utf-8' codec can't decode byte in position 1: \
    ///      invalid start or continuation byte"
    /// );
    /// ```
    fn from(e: std::str::Utf8Error) -> Self {
        let start = e.valid_up_to();
        let (end, reason) = match e.error_len() {
            Some(n) => (start + n - 1, "invalid start or continuation byte"),
            None => (start, "unexpected end of data"),
        };
        let at = if end == start {
            format!("byte in position {start}")
        } else {
            format!("bytes in position {start}-{end}")
        };
        PyException::with_class(
            PyClass::UnicodeDecodeError,
            format!("'utf-8' codec can't decode {at}: {reason}"),
        )
    }
}

/// CPython's `UnicodeDecodeError` message for `bytes`, whose decoding
/// failed with `e`.
fn utf8_message(bytes: &[u8], e: &std::str::Utf8Error) -> String {
    let start = e.valid_up_to();
    let (end, reason) = match e.error_len() {
        // A byte that can never start a sequence (a continuation byte, an
        // overlong lead, past U+10FFFF) is reported as such.
        Some(1) if !(0xc2..=0xf4).contains(&bytes[start]) => (start, "invalid start byte"),
        Some(n) => (start + n - 1, "invalid continuation byte"),
        None => (bytes.len() - 1, "unexpected end of data"),
    };
    if end == start {
        format!(
            "'utf-8' codec can't decode byte {:#04x} in position {start}: {reason}",
            bytes[start]
        )
    } else {
        format!("'utf-8' codec can't decode bytes in position {start}-{end}: {reason}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages CPython 3.11 gives for the same bytes.
    #[test]
    fn utf8_messages_are_cpythons() {
        let cases: &[(&[u8], &str)] = &[
            (b"\xff", "byte 0xff in position 0: invalid start byte"),
            (b"\xe2\x82", "bytes in position 0-1: unexpected end of data"),
            (
                b"ab\xe2\x28\xa1",
                "byte 0xe2 in position 2: invalid continuation byte",
            ),
            (
                b"\xf0\x90\x28",
                "bytes in position 0-1: invalid continuation byte",
            ),
            (b"\xc0\x80", "byte 0xc0 in position 0: invalid start byte"),
            (
                b"\xed\xa0\x80",
                "byte 0xed in position 0: invalid continuation byte",
            ),
            (b"\xe2", "byte 0xe2 in position 0: unexpected end of data"),
        ];
        for (bytes, want) in cases {
            let e = String::from_utf8(bytes.to_vec()).unwrap_err();
            let got = PyException::from(e).to_string();
            assert_eq!(
                got,
                format!("UnicodeDecodeError: 'utf-8' codec can't decode {want}")
            );
        }
    }

    #[test]
    fn io_errors_get_cpythons_class_and_errno_text() {
        let e = PyException::from(std::io::Error::from_raw_os_error(13));
        assert_eq!(
            e.to_string(),
            "PermissionError: [Errno 13] Permission denied"
        );
        let e = PyException::from(std::io::Error::from(ErrorKind::WouldBlock));
        assert_eq!(e.class(), PyClass::BlockingIOError);
        let e = PyException::from(std::io::Error::new(ErrorKind::ConnectionReset, "peer"));
        assert!(e.is_instance_of(&PyClass::ConnectionError));
        assert_eq!(e.to_string(), "ConnectionResetError: peer");
    }
}
