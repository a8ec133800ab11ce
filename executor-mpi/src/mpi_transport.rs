//! The [`Transport`] on MPI (rsmpi): every rank of `MPI_COMM_WORLD`.
//!
//! MPI is initialised with `MPI_THREAD_MULTIPLE`, because our threads call
//! it concurrently: on rank 0 whichever thread submits sends the call and
//! one thread receives the replies; on the other ranks the pool thread that
//! ran a call sends its reply while the main thread receives calls. A
//! library that cannot give that level is a `RuntimeError` at start.
//!
//! `recv` polls (`MPI_Improbe`, then the matched receive), because MPI has
//! no way to wake a thread waiting in it from outside: [`SPINS`] polls in
//! a spin loop, as many yielding the CPU in between, then polls with
//! sleeps in between, doubling from 1 µs (in practice Linux's ~50 µs timer
//! slack) up to [`MAX_NAP`]. Sleeping early matters when ranks share cores
//! (`--oversubscribe`): pollers that keep spinning or yielding take the
//! CPU from the threads running calls. An idle rank uses little CPU
//! (OpenMPI's own blocking receive would spin a core at 100 %).
//!
//! A rank that dies (killed, crashed, exited without finalising) is
//! OpenMPI's to report: `mpirun` prints which rank died and how, kills the
//! other ranks and exits non-zero, so no rank waits for it forever.
//!
//! MPI is finalised when the last handle to the transport drops, i.e. when
//! the executor on rank 0, or the serving loop on another rank, is done.

use crate::{Message, Tag, Transport};
use mpi::environment::Universe;
use mpi::point_to_point::{Destination, MatchedReceiveVec, Source};
use mpi::topology::{Communicator, SimpleCommunicator};
use mpi::Threading;
use pyrt_executor::{PyException, PyResult};
use std::fmt;
use std::time::Duration;

/// Polls `recv` makes in a spin loop (and then as many yielding) before
/// it sleeps between polls.
pub const SPINS: u32 = 64;
/// The longest sleep between two polls of an idle rank.
pub const MAX_NAP: Duration = Duration::from_micros(500);

/// This process's rank of `MPI_COMM_WORLD`.
pub struct MpiTransport {
    rank: usize,
    size: usize,
    // Finalises MPI when dropped, after everything else.
    _universe: Universe,
}

impl MpiTransport {
    /// Initialises MPI (`MPI_THREAD_MULTIPLE`). `RuntimeError` if MPI was
    /// initialised already in this process or cannot run threads.
    pub fn init() -> PyResult<MpiTransport> {
        let (universe, provided) =
            mpi::initialize_with_threading(Threading::Multiple).ok_or_else(|| {
                PyException::RuntimeError("MPI is already initialized in this process".into())
            })?;
        if provided != Threading::Multiple {
            return Err(PyException::RuntimeError(format!(
                "the MPI library gives {provided:?} threading, MPI_THREAD_MULTIPLE is needed"
            )));
        }
        let world = universe.world();
        Ok(MpiTransport {
            rank: world.rank() as usize,
            size: world.size() as usize,
            _universe: universe,
        })
    }

    fn world() -> SimpleCommunicator {
        // A handle to the predefined MPI_COMM_WORLD: made per call, so no
        // communicator object crosses threads.
        SimpleCommunicator::world()
    }
}

impl Transport for MpiTransport {
    fn rank(&self) -> usize {
        self.rank
    }

    fn size(&self) -> usize {
        self.size
    }

    fn send(&self, to: usize, tag: Tag, bytes: Vec<u8>) -> PyResult<()> {
        if to >= self.size {
            return Err(PyException::ValueError(format!(
                "rank {to} out of range for {} ranks",
                self.size
            )));
        }
        // Errors abort the job (MPI's default error handler), so a send
        // that returns has been handed to MPI.
        Self::world()
            .process_at_rank(to as i32)
            .send_with_tag(&bytes[..], tag.to_i32());
        Ok(())
    }

    fn recv(&self) -> PyResult<Message> {
        let world = Self::world();
        let mut polls: u32 = 0;
        loop {
            if let Some(probed) = world.any_process().immediate_matched_probe() {
                let (bytes, status) = probed.matched_receive_vec::<u8>();
                let tag = Tag::from_i32(status.tag()).ok_or_else(|| {
                    PyException::RuntimeError(format!(
                        "MPI message with unknown tag {}",
                        status.tag()
                    ))
                })?;
                return Ok(Message {
                    from: status.source_rank() as usize,
                    tag,
                    bytes,
                });
            }
            polls = polls.saturating_add(1);
            if polls < SPINS {
                std::hint::spin_loop();
            } else if polls < 2 * SPINS {
                std::thread::yield_now();
            } else {
                // 1 µs doubling every 16 sleeps, at most MAX_NAP.
                let nap = Duration::from_micros(1 << ((polls - 2 * SPINS) / 16).min(9));
                // allow-sleep: MPI cannot wake a waiting thread, so an idle rank polls
                std::thread::sleep(nap.min(MAX_NAP));
            }
        }
    }
}

impl fmt::Debug for MpiTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MpiTransport(rank {} of {})", self.rank, self.size)
    }
}
