//! How messages move between ranks: the [`Transport`] seam, and
//! [`LocalTransport`], ranks as threads of one process.
//!
//! A transport moves tagged byte buffers between ranks `0..size`: `send`
//! from any thread, `recv` (one receiving thread per rank) returns the next
//! message from any rank. Messages from one rank to another arrive in the
//! order they were sent, as MPI guarantees. The executor needs nothing
//! else, so the same master and worker code runs on MPI (`MpiTransport`,
//! feature `mpi`) and on [`LocalTransport`], which the crate's tests use on
//! machines without MPI and which lets a program be tried on one machine
//! before going to a cluster.

use crossbeam_channel::{unbounded, Receiver, Sender};
use pyrt_executor::{PyException, PyResult};
use std::fmt;

/// What a message is; the tag of an MPI message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Tag {
    /// Worker → master, once at start: the worker's thread count (4 bytes,
    /// little-endian), i.e. how many calls it can run at once.
    Hello,
    /// Master → worker: a `pyrt_remote::Call`.
    Call,
    /// Worker → master: a `pyrt_remote::Reply`; it also says the worker
    /// has room for one more call.
    Reply,
    /// Master → worker: no more calls, leave.
    Stop,
    /// Master → itself: look at the queue again (after `shutdown`).
    Wake,
}

impl Tag {
    /// The tag as an MPI tag.
    ///
    /// ```
    /// use pyrt_mpi::Tag;
    /// assert_eq!(Tag::from_i32(Tag::Reply.to_i32()), Some(Tag::Reply));
    /// ```
    pub fn to_i32(self) -> i32 {
        match self {
            Tag::Hello => 1,
            Tag::Call => 2,
            Tag::Reply => 3,
            Tag::Stop => 4,
            Tag::Wake => 5,
        }
    }

    /// The tag an MPI tag stands for, `None` for a tag not ours.
    pub fn from_i32(tag: i32) -> Option<Tag> {
        Some(match tag {
            1 => Tag::Hello,
            2 => Tag::Call,
            3 => Tag::Reply,
            4 => Tag::Stop,
            5 => Tag::Wake,
            _ => return None,
        })
    }
}

/// A received message: who sent it, its tag, its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The sender's rank.
    pub from: usize,
    /// What it is.
    pub tag: Tag,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Moves tagged byte buffers between the ranks of one job.
///
/// ```
/// use pyrt_mpi::{local_world, Tag, Transport};
/// let ranks = local_world(2);
/// ranks[1].send(0, Tag::Hello, vec![1, 0, 0, 0])?;
/// let m = ranks[0].recv()?;
/// assert_eq!((m.from, m.tag, m.bytes), (1, Tag::Hello, vec![1, 0, 0, 0]));
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub trait Transport: Send + Sync + 'static {
    /// This process's rank.
    fn rank(&self) -> usize;
    /// How many ranks the job has.
    fn size(&self) -> usize;
    /// Sends `bytes` to rank `to` (which may be this rank); callable from
    /// any thread.
    fn send(&self, to: usize, tag: Tag, bytes: Vec<u8>) -> PyResult<()>;
    /// Waits for the next message to this rank, from any rank. One thread
    /// per rank receives.
    fn recv(&self) -> PyResult<Message>;
}

/// One rank of a job whose ranks are threads of this process.
pub struct LocalTransport {
    rank: usize,
    inboxes: Vec<Sender<Message>>,
    inbox: Receiver<Message>,
}

/// The ranks `0..size` of a job inside this process, one [`LocalTransport`]
/// each: give rank 0's to the thread that submits and the others to
/// threads that serve.
///
/// ```
/// use pyrt_mpi::{local_world, Transport};
/// let ranks = local_world(3);
/// assert_eq!((ranks[2].rank(), ranks[2].size()), (2, 3));
/// ```
pub fn local_world(size: usize) -> Vec<LocalTransport> {
    let (senders, receivers): (Vec<_>, Vec<_>) = (0..size).map(|_| unbounded()).unzip();
    receivers
        .into_iter()
        .enumerate()
        .map(|(rank, inbox)| LocalTransport {
            rank,
            inboxes: senders.clone(),
            inbox,
        })
        .collect()
}

impl Transport for LocalTransport {
    fn rank(&self) -> usize {
        self.rank
    }

    fn size(&self) -> usize {
        self.inboxes.len()
    }

    fn send(&self, to: usize, tag: Tag, bytes: Vec<u8>) -> PyResult<()> {
        let inbox = self.inboxes.get(to).ok_or_else(|| {
            PyException::ValueError(format!("rank {to} out of range for {} ranks", self.size()))
        })?;
        inbox
            .send(Message {
                from: self.rank,
                tag,
                bytes,
            })
            .map_err(|_| PyException::BrokenPipeError(format!("rank {to} has left")))
    }

    fn recv(&self) -> PyResult<Message> {
        // Every rank holds a sender to every inbox, its own included, so
        // the channel never disconnects while this rank lives.
        self.inbox
            .recv()
            .map_err(|_| PyException::BrokenPipeError("every other rank has left".into()))
    }
}

impl fmt::Debug for LocalTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LocalTransport(rank {} of {})", self.rank, self.size())
    }
}
