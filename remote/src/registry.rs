//! Functions by name: the table every process builds the same way.
//!
//! Each entry keeps the function behind a type-erased closure from bytes to
//! bytes, plus the argument and result types it was registered with, so
//! that [`Registry::get`] and [`Registry::check`] can refuse a handle whose
//! types differ (`TypeError`) and an unknown name is `KeyError`, CPython's
//! error for a missing key. [`Registry::serve`] is the serving side: it
//! decodes the argument(s), runs the function, and encodes the result(s) or
//! the exception; a panic inside the function becomes
//! [`PyException::PanicException`] with the panic's message, as on our
//! futures, and never unwinds out of `serve`.

use crate::{decode, encode, Call, CallKind, RemoteFn, Reply, WireError};
use pyrt_executor::{IntoPyResult, PyException, PyResult};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::any::{type_name, TypeId};
use std::collections::BTreeMap;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs a registered function on encoded argument(s).
type Erased = dyn Fn(CallKind, &[u8]) -> PyResult<Vec<u8>> + Send + Sync;

struct Entry {
    types: (TypeId, TypeId),
    type_names: (&'static str, &'static str),
    run: Box<Erased>,
}

/// A table of functions by name.
///
/// ```
/// use pyrt_executor::{PyClass, PyResult};
/// use pyrt_remote::{Registry, RemoteFn};
/// let mut registry = Registry::new();
/// let square: RemoteFn<u64, u64> = registry.register("square", |x: u64| x * x);
/// assert_eq!(square.result(registry.serve(&square.call(0, &9)?))?, 81);
///
/// // Looking a function up by name checks its types.
/// assert!(registry.get::<u64, u64>("square").is_ok());
/// let e = registry.get::<String, u64>("square").unwrap_err();
/// assert!(e.is_instance_of(&PyClass::TypeError));
/// let e = registry.get::<u64, u64>("cube").unwrap_err();
/// assert_eq!(e.to_string(), "KeyError: 'cube'");
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Default)]
pub struct Registry {
    entries: BTreeMap<String, Entry>,
}

impl Registry {
    /// An empty table.
    pub fn new() -> Self {
        Registry::default()
    }

    /// Registers `f` as `name` and returns its handle. `f` takes the
    /// argument by value and returns the result, or a `PyResult` whose
    /// `Err` is the exception it raises. Registering a name again replaces
    /// the entry, as assigning a dict key does.
    ///
    /// ```
    /// use pyrt_executor::{PyException, PyResult};
    /// use pyrt_remote::{Registry, RemoteFn};
    /// let mut registry = Registry::new();
    /// let parse: RemoteFn<String, i64> = registry.register("parse", |s: String| -> PyResult<i64> {
    ///     s.parse().map_err(|_| PyException::ValueError(format!("invalid literal for int() with base 10: '{s}'")))
    /// });
    /// let e = parse.result(registry.serve(&parse.call(0, &"x".to_string())?)).unwrap_err();
    /// assert_eq!(e.to_string(), "ValueError: invalid literal for int() with base 10: 'x'");
    /// # Ok::<(), PyException>(())
    /// ```
    pub fn register<A, R, O, F>(&mut self, name: &str, f: F) -> RemoteFn<A, R>
    where
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + 'static,
        O: IntoPyResult<R>,
        F: Fn(A) -> O + Send + Sync + 'static,
    {
        let what = |part: &str| format!("{part} of '{name}'");
        let (arg, args, result, results) = (
            what("argument"),
            what("arguments"),
            what("result"),
            what("results"),
        );
        let call_one = move |a: A| -> PyResult<R> {
            match catch_unwind(AssertUnwindSafe(|| f(a))) {
                Ok(out) => out.into_py_result(),
                Err(payload) => Err(PyException::from_panic(payload.as_ref())),
            }
        };
        let run = move |kind: CallKind, bytes: &[u8]| -> PyResult<Vec<u8>> {
            match kind {
                CallKind::One => encode(&call_one(decode::<A>(bytes, &arg)?)?, &result),
                CallKind::Chunk => {
                    let out = decode::<Vec<A>>(bytes, &args)?
                        .into_iter()
                        .map(&call_one)
                        .collect::<PyResult<Vec<R>>>()?;
                    encode(&out, &results)
                }
            }
        };
        let entry = Entry {
            types: (TypeId::of::<A>(), TypeId::of::<R>()),
            type_names: (type_name::<A>(), type_name::<R>()),
            run: Box::new(run),
        };
        self.entries.insert(name.to_string(), entry);
        RemoteFn::new(name)
    }

    /// The handle of the function registered as `name`: `KeyError` if there
    /// is none, `TypeError` if it takes or returns other types.
    pub fn get<A, R>(&self, name: &str) -> PyResult<RemoteFn<A, R>>
    where
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + 'static,
    {
        let handle = RemoteFn::new(name);
        self.check(&handle)?;
        Ok(handle)
    }

    /// Whether `f` names a function of this table with `f`'s types; the
    /// error is the one [`Registry::get`] would raise. An executor calls it
    /// at submit, so a wrong handle fails there and not on another process.
    ///
    /// ```
    /// use pyrt_remote::{Registry, RemoteFn};
    /// let registry = Registry::new();
    /// let e = registry.check(&RemoteFn::<u8, u8>::new("nowhere")).unwrap_err();
    /// assert_eq!(e.to_string(), "KeyError: 'nowhere'");
    /// ```
    pub fn check<A, R>(&self, f: &RemoteFn<A, R>) -> PyResult<()>
    where
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + 'static,
    {
        let entry = self.entry(f.name())?;
        if entry.types != (TypeId::of::<A>(), TypeId::of::<R>()) {
            return Err(PyException::TypeError(format!(
                "remote function '{}' takes {} and returns {}, not {} -> {}",
                f.name(),
                entry.type_names.0,
                entry.type_names.1,
                type_name::<A>(),
                type_name::<R>()
            )));
        }
        Ok(())
    }

    /// Whether `name` is registered.
    ///
    /// ```
    /// let mut registry = pyrt_remote::Registry::new();
    /// let _ = registry.register::<u8, u8, u8, _>("id", |x: u8| x);
    /// assert!(registry.contains("id") && !registry.contains("other"));
    /// ```
    pub fn contains(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }

    /// The registered names, sorted.
    ///
    /// ```
    /// let mut registry = pyrt_remote::Registry::new();
    /// let _ = registry.register::<u8, u8, u8, _>("b", |x: u8| x);
    /// let _ = registry.register::<u8, u8, u8, _>("a", |x: u8| x);
    /// assert_eq!(registry.names().collect::<Vec<_>>(), ["a", "b"]);
    /// ```
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// Runs the function registered as `name` on one encoded argument and
    /// returns the encoded result, or the exception it raised (a panic is
    /// `PanicException`, an unknown name `KeyError`, bytes that are not its
    /// argument type `TypeError`).
    ///
    /// ```
    /// use pyrt_remote::{decode, encode, Registry};
    /// let mut registry = Registry::new();
    /// let _ = registry.register::<u32, u32, u32, _>("inc", |x: u32| x + 1);
    /// let out = registry.call("inc", &encode(&41u32, "argument")?)?;
    /// assert_eq!(decode::<u32>(&out, "result")?, 42);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn call(&self, name: &str, args: &[u8]) -> PyResult<Vec<u8>> {
        (self.entry(name)?.run)(CallKind::One, args)
    }

    /// Like [`Registry::call`] for an encoded sequence of arguments: the
    /// encoded sequence of results, or the first exception.
    pub fn call_chunk(&self, name: &str, args: &[u8]) -> PyResult<Vec<u8>> {
        (self.entry(name)?.run)(CallKind::Chunk, args)
    }

    /// Answers a [`Call`]: runs it and wraps the outcome in a [`Reply`]
    /// with the call's id.
    pub fn serve(&self, call: &Call) -> Reply {
        let outcome = self
            .entry(&call.function)
            .and_then(|entry| (entry.run)(call.kind, &call.args));
        Reply {
            id: call.id,
            outcome: outcome.map_err(|e| WireError::from_exception(&e)),
        }
    }

    /// [`Registry::serve`] from and to bytes, for a transport that moves
    /// bytes only. Bytes that are not a call get a reply with id 0 carrying
    /// the `TypeError`.
    ///
    /// ```
    /// use pyrt_executor::PyClass;
    /// use pyrt_remote::{Registry, Reply};
    /// let reply = Reply::from_bytes(&Registry::new().serve_bytes(&[0xff]))?;
    /// let e = reply.outcome.unwrap_err().into_exception();
    /// assert!(e.is_instance_of(&PyClass::TypeError));
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn serve_bytes(&self, call: &[u8]) -> Vec<u8> {
        let reply = match Call::from_bytes(call) {
            Ok(call) => self.serve(&call),
            Err(e) => Reply {
                id: 0,
                outcome: Err(WireError::from_exception(&e)),
            },
        };
        // A reply holds only bytes, strings and integers, which postcard
        // always encodes; fall back to an empty buffer rather than panic.
        reply.to_bytes().unwrap_or_default()
    }

    fn entry(&self, name: &str) -> PyResult<&Entry> {
        self.entries
            .get(name)
            .ok_or_else(|| PyException::KeyError(format!("'{name}'")))
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(
                self.entries
                    .iter()
                    .map(|(name, e)| (name, format!("{} -> {}", e.type_names.0, e.type_names.1))),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyrt_executor::PyClass;

    fn table() -> (Registry, RemoteFn<i64, i64>, RemoteFn<i64, i64>) {
        let mut r = Registry::new();
        let my_err = PyClass::user("MyErr", PyClass::ValueError);
        let half = r.register("half", move |x: i64| -> PyResult<i64> {
            if x % 2 == 0 {
                Ok(x / 2)
            } else {
                Err(PyException::with_class(
                    my_err.clone(),
                    format!("{x} is odd"),
                ))
            }
        });
        let boom = r.register("boom", |x: i64| -> i64 {
            if x == 3 {
                panic!("three is not allowed");
            }
            x
        });
        (r, half, boom)
    }

    #[test]
    fn runs_a_call_by_name() {
        let (r, half, _) = table();
        let bytes = half.call(5, &10).unwrap().to_bytes().unwrap();
        let reply = Reply::from_bytes(&r.serve_bytes(&bytes)).unwrap();
        assert_eq!(reply.id, 5);
        assert_eq!(half.result(reply).unwrap(), 5);
    }

    #[test]
    fn a_raised_user_exception_keeps_its_class() {
        let (r, half, _) = table();
        let e = half
            .result(r.serve(&half.call(0, &7).unwrap()))
            .unwrap_err();
        let my_err = PyClass::user("MyErr", PyClass::ValueError);
        assert_eq!(e.class(), my_err);
        assert!(e.is_instance_of(&PyClass::ValueError));
        assert_eq!(e.to_string(), "MyErr: 7 is odd");
    }

    #[test]
    fn a_panic_becomes_panic_exception() {
        let (r, _, boom) = table();
        let e = boom
            .result(r.serve(&boom.call(0, &3).unwrap()))
            .unwrap_err();
        assert_eq!(
            e,
            PyException::PanicException("three is not allowed".into())
        );
        // The registry is still usable after the panic.
        assert_eq!(boom.result(r.serve(&boom.call(1, &4).unwrap())).unwrap(), 4);
    }

    #[test]
    fn a_chunk_runs_in_order_and_stops_at_the_first_exception() {
        let (r, half, boom) = table();
        let ok = r.serve(&half.chunk_call(1, &[2, 4, 6]).unwrap());
        assert_eq!(half.chunk_result(ok).unwrap(), vec![1, 2, 3]);
        let failed = r.serve(&half.chunk_call(2, &[2, 3, 5]).unwrap());
        assert_eq!(
            half.chunk_result(failed).unwrap_err().to_string(),
            "MyErr: 3 is odd"
        );
        let panicked = r.serve(&boom.chunk_call(3, &[1, 3]).unwrap());
        assert!(boom
            .chunk_result(panicked)
            .unwrap_err()
            .is_instance_of(&PyClass::PanicException));
        let empty = r.serve(&half.chunk_call(4, &[]).unwrap());
        assert_eq!(half.chunk_result(empty).unwrap(), Vec::<i64>::new());
    }

    #[test]
    fn unknown_names_and_wrong_types_are_key_and_type_errors() {
        let (r, _, _) = table();
        let missing: RemoteFn<i64, i64> = RemoteFn::new("nope");
        let reply = r.serve(&missing.call(0, &1).unwrap());
        assert_eq!(
            missing.result(reply).unwrap_err().to_string(),
            "KeyError: 'nope'"
        );
        let e = r.get::<i64, String>("half").unwrap_err();
        assert!(e.is_instance_of(&PyClass::TypeError));
        assert!(
            e.to_string()
                .contains("returns i64, not i64 -> alloc::string::String"),
            "{e}"
        );
        // Bytes of another type reaching the function: TypeError, no panic.
        let wrong: RemoteFn<String, i64> = RemoteFn::new("half");
        let reply = r.serve(&wrong.call(0, &"x".repeat(300)).unwrap());
        assert!(wrong
            .result(reply)
            .unwrap_err()
            .is_instance_of(&PyClass::TypeError));
    }

    #[test]
    fn registering_again_replaces() {
        let mut r = Registry::new();
        let f: RemoteFn<u8, u8> = r.register("f", |x: u8| x);
        let _: RemoteFn<u8, u8> = r.register("f", |x: u8| x + 1);
        assert_eq!(f.result(r.serve(&f.call(0, &1).unwrap())).unwrap(), 2);
        assert_eq!(r.names().count(), 1);
        assert!(format!("{r:?}").contains("\"f\": \"u8 -> u8\""));
    }
}
