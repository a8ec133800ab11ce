//! Channels (MPMC, bounded/unbounded, timeouts, `select`, disconnection on
//! drop) and the message patterns built on them: request/response RPC
//! ([`Service`]), fire-and-forget ([`spawn_consumer`]), streaming with
//! end-of-stream ([`stream`]), broadcast ([`Broadcast`]) and shared state
//! ([`Shared`]).
//!
//! Built on crossbeam-channel, so the same code compiles for the wasm
//! targets. A blocking `recv`/`select`/`send` blocks like a Python thread:
//! on one of our pool's workers it runs nothing else meanwhile and the pool
//! counts the worker as blocked (the scheduler's one wait loop, parking).
//! Inside pool tasks prefer unbounded channels or `try_send` where a full
//! channel could hold every worker.
//!
//! Errors use Python's names: `Full`/`Empty` for `try_*` and timeouts,
//! `EOFError: channel closed` when receiving from a closed, drained channel
//! (like `Connection.recv`), `BrokenPipeError: channel closed` when sending
//! to a channel nobody can receive from.

mod channel;
mod patterns;
mod select;

pub use channel::{channel, Receiver, Sender};
pub use patterns::{
    spawn_consumer, stream, Broadcast, Service, Shared, StreamReceiver, StreamSender,
};
pub use select::select;
