//! `mpi4py.futures` for pyrt: the same `concurrent.futures` and
//! `multiprocessing.Pool` API, with calls sent by name to the ranks of an
//! MPI job and run there on each rank's own work-stealing pool.
//!
//! SPMD, as `mpi4py.futures.MPICommExecutor` and `python -m
//! mpi4py.futures`: every rank runs the same binary and builds the same
//! [`Registry`] of functions; rank 0 gets the executor, the other ranks
//! serve calls until it shuts down and then leave cleanly.
//!
//! ```no_run
//! # #[cfg(feature = "mpi")]
//! # fn main() -> pyrt_executor::PyResult<()> {
//! use pyrt_mpi::{MpiCommExecutor, Registry, RemoteFn};
//!
//! let mut registry = Registry::new();
//! let square: RemoteFn<u64, u64> = registry.register("square", |x: u64| x * x);
//! // with MPICommExecutor() as ex:
//! //     if ex is not None:
//! if let Some(ex) = MpiCommExecutor::start(registry)? {
//!     let total: u64 = ex.map(&square, 0..1000, None, Some(100))?.sum::<Result<_, _>>()?;
//!     println!("{total}");
//! } // leaving the block: ex.shutdown(wait=True); the other ranks return None
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "mpi"))]
//! # fn main() {}
//! ```
//!
//! Run it with `mpirun -n 4 ./program` (one rank submits, three serve);
//! across hosts with `mpirun --hostfile hosts -n 8 ./program`.
//!
//! One concept per file: [`Transport`] and [`LocalTransport`]
//! (`transport.rs`), `MpiTransport` on rsmpi (`mpi_transport.rs`), the
//! master's queue and demand-driven scheduling (`master.rs`), a worker
//! rank's loop (`worker.rs`), the executor face (`executor.rs`), `map`'s
//! iterator (`map_iter.rs`) and the `Pool` face (`pool.rs`). The registry,
//! the envelopes and how exceptions travel are `pyrt-remote`'s, shared with
//! the browser's message-passing pool.
//!
//! # Without MPI: the `mpi` feature
//!
//! rsmpi (the `mpi` crate) needs an MPI library and libclang at build time,
//! which most machines building this workspace do not have, and `cargo
//! build/test/clippy/doc --workspace` builds every member. So rsmpi is an
//! optional dependency behind the `mpi` feature, off by default, rather
//! than a crate outside the workspace (which would need a lock file of its
//! own): without the feature everything but `MpiTransport` builds and is
//! tested, on [`LocalTransport`] (ranks as threads, [`run_local`]), and
//! `scripts/test.sh mpi` builds with `--features mpi` and runs the same
//! tests under `mpirun`.

#![deny(missing_docs)]

mod executor;
mod map_iter;
mod master;
#[cfg(feature = "mpi")]
mod mpi_transport;
mod pool;
mod transport;
mod worker;

pub use executor::{
    run_local, run_local_with, MpiCommExecutor, MpiExecutorBuilder, MpiPoolExecutor, RankStats,
};
pub use map_iter::MapIter;
#[cfg(feature = "mpi")]
pub use mpi_transport::{MpiTransport, MAX_NAP, SPINS};
pub use pool::{AsyncResult, IMapUnordered, MpiPool};
pub use pyrt_remote::{Registry, RemoteFn};
pub use transport::{local_world, LocalTransport, Message, Tag, Transport};
pub use worker::current_rank;
