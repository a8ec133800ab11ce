//! Channels (MPMC, bounded/unbounded, `select`) and the message patterns
//! built on them: RPC, fire-and-forget, streaming, broadcast, shared state.
