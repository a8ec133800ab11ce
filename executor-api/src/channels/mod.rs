//! Channels (MPMC, bounded/unbounded, timeouts, `select`, disconnection on
//! drop) and the message patterns built on them: request/response RPC
//! ([`Service`]), fire-and-forget ([`spawn_consumer`]), streaming with
//! end-of-stream ([`stream`]), broadcast ([`Broadcast`]) and shared state
//! ([`Shared`]).
//!
//! Built on crossbeam-channel, so the same code compiles for the wasm
//! targets. A blocking `recv`/`select` on one of our pool's workers runs
//! other queued tasks while it waits. A `send` on a *full bounded* channel
//! blocks its thread like crossbeam's does: inside pool tasks prefer
//! unbounded channels or `try_send`.
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
