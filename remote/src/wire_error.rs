//! A raised Python exception on the wire.
//!
//! A [`WireError`] carries the exception's class as its whole base chain,
//! most derived first (`MyErr`, `ValueError`, `Exception`,
//! `BaseException`), each as module and name, plus the message. The
//! receiving side rebuilds the class from the root down: a builtin is found
//! by module and name among [`PyClass::BUILTINS`], a class that is not one
//! becomes a [`PyClass::User`] on top of the base rebuilt before it. User
//! classes compare by definition (name, module, base), so the rebuilt class
//! equals the sender's and `e.is_instance_of(&my_err)` holds on both sides.
//!
//! `SystemExit(3)` keeps its integer code (`exit_code`), so the status a
//! program exits with does not change on the way.

use pyrt_executor::{PyClass, PyException, SystemExitCode};
use serde::{Deserialize, Serialize};

/// One class of a [`WireError`]'s chain: `__module__` and `__qualname__`.
///
/// ```
/// use pyrt_executor::PyClass;
/// use pyrt_remote::WireClass;
/// let c = WireClass::of(&PyClass::BrokenThreadPool);
/// assert_eq!((c.module.as_str(), c.name.as_str()), ("concurrent.futures.thread", "BrokenThreadPool"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WireClass {
    /// The defining module, `"builtins"` for builtins.
    pub module: String,
    /// The class name.
    pub name: String,
}

impl WireClass {
    /// The module and name of `class`.
    pub fn of(class: &PyClass) -> Self {
        WireClass {
            module: class.module().to_string(),
            name: class.name().to_string(),
        }
    }
}

/// A `PyException` as it travels: class chain and message.
///
/// ```
/// use pyrt_executor::{PyClass, PyException};
/// use pyrt_remote::WireError;
/// let my_err = PyClass::user("MyErr", PyClass::ValueError);
/// let raised = PyException::with_class(my_err.clone(), "bad input");
/// let back = WireError::from_exception(&raised).into_exception();
/// assert_eq!(back, raised);
/// assert!(back.is_instance_of(&my_err));
/// assert!(back.is_instance_of(&PyClass::ValueError));
/// assert_eq!(back.to_string(), "MyErr: bad input");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WireError {
    /// The class and its bases, most derived first, ending at
    /// `BaseException`.
    pub classes: Vec<WireClass>,
    /// `str(e)`.
    pub message: String,
    /// `SystemExit`'s code when it is an integer (`sys.exit(3)`).
    pub exit_code: Option<i64>,
}

impl WireError {
    /// The wire form of `e`.
    pub fn from_exception(e: &PyException) -> Self {
        let exit_code = match e {
            PyException::SystemExit(SystemExitCode::Int(n)) => Some(*n),
            _ => None,
        };
        WireError {
            classes: e.class().mro().iter().map(WireClass::of).collect(),
            message: e.message().into_owned(),
            exit_code,
        }
    }

    /// The exception again, of the same class (rebuilt from the chain) and
    /// with the same message.
    pub fn into_exception(self) -> PyException {
        let class = self.class();
        match (class, self.exit_code) {
            (PyClass::SystemExit, Some(n)) => PyException::SystemExit(SystemExitCode::Int(n)),
            (class, _) => PyException::with_class(class, self.message),
        }
    }

    /// The class the chain describes. A chain that does not end at a
    /// builtin root (another program's bytes) gets `Exception` under its
    /// unknown root, so it is still an ordinary exception.
    pub fn class(&self) -> PyClass {
        let mut base: Option<PyClass> = None;
        for c in self.classes.iter().rev() {
            let builtin = PyClass::BUILTINS
                .iter()
                .find(|b| b.module() == c.module && b.name() == c.name && b.base() == base);
            base = Some(match builtin {
                Some(b) => b.clone(),
                None => {
                    let parent = base.take().unwrap_or(PyClass::Exception);
                    PyClass::user_in(c.module.clone(), c.name.clone(), parent)
                }
            });
        }
        base.unwrap_or(PyClass::Exception)
    }
}

impl From<&PyException> for WireError {
    fn from(e: &PyException) -> Self {
        WireError::from_exception(e)
    }
}

impl From<WireError> for PyException {
    fn from(e: WireError) -> Self {
        e.into_exception()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(e: &PyException) -> PyException {
        let bytes = crate::encode(&WireError::from_exception(e), "error").unwrap();
        crate::decode::<WireError>(&bytes, "error")
            .unwrap()
            .into_exception()
    }

    #[test]
    fn every_builtin_class_comes_back_as_itself() {
        for class in PyClass::BUILTINS {
            let e = PyException::with_class(class.clone(), "m");
            let back = round_trip(&e);
            assert_eq!(back.class(), *class);
            assert_eq!(back, e);
        }
    }

    #[test]
    fn same_names_in_different_modules_stay_apart() {
        let mp = round_trip(&PyException::MpTimeoutError("x".into()));
        assert!(mp.is_instance_of(&PyClass::ProcessError));
        assert!(!mp.is_instance_of(&PyClass::OSError));
        let builtin = round_trip(&PyException::TimeoutError(String::new()));
        assert!(builtin.is_instance_of(&PyClass::OSError));
        assert_eq!(builtin.to_string(), "TimeoutError");
    }

    #[test]
    fn user_classes_keep_their_whole_chain() {
        let base = PyClass::user_in("app.errors", "AppError", PyClass::LookupError);
        let sub = PyClass::user_in("app.errors", "Missing", base.clone());
        let back = round_trip(&PyException::with_class(sub.clone(), "no such row"));
        assert_eq!(back.class(), sub);
        assert!(back.is_instance_of(&base));
        assert!(back.is_instance_of(&PyClass::LookupError));
        assert!(!back.is_instance_of(&PyClass::KeyError));
        assert_eq!(back.to_string(), "Missing: no such row");
    }

    #[test]
    fn system_exit_keeps_its_code() {
        for code in [
            SystemExitCode::None,
            SystemExitCode::Int(3),
            SystemExitCode::Message("bye".into()),
        ] {
            let e = PyException::SystemExit(code);
            assert_eq!(round_trip(&e), e);
        }
    }

    #[test]
    fn panics_stay_base_exceptions() {
        let back = round_trip(&PyException::PanicException("boom".into()));
        assert!(back.is_instance_of(&PyClass::BaseException));
        assert!(!back.is_instance_of(&PyClass::Exception));
    }

    #[test]
    fn a_foreign_chain_is_still_an_exception() {
        let w = WireError {
            classes: vec![WireClass {
                module: "elsewhere".into(),
                name: "Odd".into(),
            }],
            message: "m".into(),
            exit_code: None,
        };
        let e = w.into_exception();
        assert_eq!(e.name(), "Odd");
        assert!(e.is_instance_of(&PyClass::Exception));
        let empty = WireError {
            classes: vec![],
            message: "m".into(),
            exit_code: None,
        };
        assert!(empty.into_exception().is_instance_of(&PyClass::Exception));
    }
}
