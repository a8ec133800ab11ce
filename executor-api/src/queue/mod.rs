//! Python's `queue` module: `Queue`, `LifoQueue`, `PriorityQueue`,
//! `SimpleQueue`, `Empty` and `Full`.
