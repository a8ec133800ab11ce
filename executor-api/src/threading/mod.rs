//! Python's `threading` module: real threads and the synchronization
//! primitives, with blocking calls that help the pool instead of starving it.
