//! A typed handle to a function registered by name.
//!
//! [`RemoteFn<A, R>`] is only a name and two types: it is what the calling
//! side holds. It turns an argument into a [`Call`] (encoding it, so an
//! argument that cannot be serialised fails here, at submit, as a
//! `TypeError`) and a [`Reply`] back into `PyResult<R>` (re-raising the
//! remote exception with its class). Whether the name is registered with
//! these types is the [`Registry`](crate::Registry)'s to say
//! ([`Registry::check`](crate::Registry::check)); a handle from
//! [`Registry::register`](crate::Registry::register) or
//! [`Registry::get`](crate::Registry::get) is.

use crate::{decode, encode, Call, CallKind, Reply, WireError};
use pyrt_executor::PyResult;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

/// A function registered by name that takes an `A` and returns an `R`
/// (several parameters are a tuple `A`).
///
/// ```
/// use pyrt_remote::{Registry, RemoteFn};
/// let mut registry = Registry::new();
/// let add: RemoteFn<(i32, i32), i32> = registry.register("add", |(a, b): (i32, i32)| a + b);
/// assert_eq!(add.name(), "add");
/// let reply = registry.serve(&add.call(1, &(2, 3))?);
/// assert_eq!(add.result(reply)?, 5);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub struct RemoteFn<A, R> {
    name: Arc<str>,
    types: PhantomData<fn(A) -> R>,
}

impl<A, R> RemoteFn<A, R>
where
    A: Serialize + DeserializeOwned + 'static,
    R: Serialize + DeserializeOwned + 'static,
{
    /// A handle to the function registered as `name`, unchecked: use it
    /// with a [`Registry`](crate::Registry) that
    /// [`check`](crate::Registry::check)s it.
    ///
    /// ```
    /// use pyrt_remote::RemoteFn;
    /// let f: RemoteFn<u8, u8> = RemoteFn::new("f");
    /// assert_eq!(f.name(), "f");
    /// ```
    pub fn new(name: &str) -> Self {
        RemoteFn {
            name: Arc::from(name),
            types: PhantomData,
        }
    }

    /// The registered name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A call of this function with `arg`, whose reply will carry `id`.
    /// An argument that cannot be serialised is a `TypeError`.
    ///
    /// ```
    /// use pyrt_remote::{CallKind, RemoteFn};
    /// let f: RemoteFn<u8, u8> = RemoteFn::new("f");
    /// let call = f.call(3, &200)?;
    /// assert_eq!((call.id, call.kind, call.function.as_str()), (3, CallKind::One, "f"));
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn call(&self, id: u64, arg: &A) -> PyResult<Call> {
        Ok(Call {
            id,
            function: self.name.to_string(),
            kind: CallKind::One,
            args: encode(arg, &self.what("argument"))?,
        })
    }

    /// One call of this function for each of `args`, run in order on the
    /// other side and answered by one reply ([`RemoteFn::chunk_result`]).
    ///
    /// ```
    /// use pyrt_remote::{Registry, RemoteFn};
    /// let mut registry = Registry::new();
    /// let neg: RemoteFn<i8, i8> = registry.register("neg", |x: i8| -x);
    /// let reply = registry.serve(&neg.chunk_call(0, &[1, 2, 3])?);
    /// assert_eq!(neg.chunk_result(reply)?, vec![-1, -2, -3]);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn chunk_call(&self, id: u64, args: &[A]) -> PyResult<Call> {
        Ok(Call {
            id,
            function: self.name.to_string(),
            kind: CallKind::Chunk,
            args: encode(args, &self.what("arguments"))?,
        })
    }

    /// The result a reply to [`RemoteFn::call`] carries, or the exception
    /// the call raised, re-raised with its class.
    pub fn result(&self, reply: Reply) -> PyResult<R> {
        let bytes = reply.outcome.map_err(WireError::into_exception)?;
        decode(&bytes, &self.what("result"))
    }

    /// The results a reply to [`RemoteFn::chunk_call`] carries, in order,
    /// or the exception the first failing call raised.
    pub fn chunk_result(&self, reply: Reply) -> PyResult<Vec<R>> {
        let bytes = reply.outcome.map_err(WireError::into_exception)?;
        decode(&bytes, &self.what("results"))
    }

    fn what(&self, part: &str) -> String {
        format!("{part} of '{}'", self.name)
    }
}

impl<A, R> Clone for RemoteFn<A, R> {
    fn clone(&self) -> Self {
        RemoteFn {
            name: self.name.clone(),
            types: PhantomData,
        }
    }
}

impl<A, R> fmt::Debug for RemoteFn<A, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "RemoteFn<{}, {}>({:?})",
            std::any::type_name::<A>(),
            std::any::type_name::<R>(),
            &*self.name
        )
    }
}
