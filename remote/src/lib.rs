//! Calls that cross a process boundary by name: the transport-neutral half of
//! running a task somewhere else (an MPI rank, a Web Worker without shared
//! memory, a subprocess).
//!
//! Every process runs the same binary and builds the same [`Registry`] the
//! same way, so a function is named by a string on the wire and found again
//! on the other side; its arguments and result are serde values in
//! postcard's compact binary format. The pieces, one file each:
//!
//! - [`Registry`] (`registry.rs`): functions by name; [`Registry::serve`]
//!   runs a [`Call`] and answers with a [`Reply`], a panic becoming the
//!   `PanicException` our futures use for panics.
//! - [`RemoteFn`] (`remote_fn.rs`): a typed handle to a registered
//!   function; the caller's side builds a [`Call`] from a value and reads
//!   the value back from a [`Reply`].
//! - [`Call`] and [`Reply`] (`envelope.rs`): what travels, as bytes
//!   ([`Call::to_bytes`], [`Reply::from_bytes`]).
//! - [`WireError`] (`wire_error.rs`): a raised `PyException` on the wire,
//!   with its class's whole base chain, so it re-raises as the same class
//!   (user classes included) and `except Base:` still catches it.
//! - [`encode`] / [`decode`] (`codec.rs`): a value that cannot be
//!   serialised is a `TypeError`, never a panic.
//!
//! The crate has no transport, no threads and no clock, so it builds for
//! `wasm32-unknown-unknown` and `wasm32-wasip1` as well as natively.
//!
//! ```
//! use pyrt_remote::{Registry, RemoteFn, Reply};
//! use pyrt_executor::{PyException, PyResult};
//!
//! // Every process builds the same table.
//! let mut registry = Registry::new();
//! let square: RemoteFn<u64, u64> = registry.register("square", |x: u64| -> PyResult<u64> {
//!     x.checked_mul(x).ok_or_else(|| PyException::OverflowError("too big".into()))
//! });
//!
//! // The caller: a call envelope, as bytes for the transport.
//! let call = square.call(7, &12)?;
//! let bytes = call.to_bytes()?;
//!
//! // The other side: decode, run, answer.
//! let reply = registry.serve_bytes(&bytes);
//!
//! // Back at the caller.
//! let reply = Reply::from_bytes(&reply)?;
//! assert_eq!(reply.id, 7);
//! assert_eq!(square.result(reply)?, 144);
//! # Ok::<(), PyException>(())
//! ```

#![deny(missing_docs)]

mod codec;
mod envelope;
mod registry;
mod remote_fn;
mod wire_error;

pub use codec::{decode, encode};
pub use envelope::{Call, CallKind, Reply};
pub use registry::Registry;
pub use remote_fn::RemoteFn;
pub use wire_error::{WireClass, WireError};
