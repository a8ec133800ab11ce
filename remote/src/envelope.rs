//! What travels: a [`Call`] one way, a [`Reply`] the other.
//!
//! A call names its function and carries its argument already encoded
//! (bytes, so the transport and the envelope never need the argument's
//! type); a [`CallKind::Chunk`] carries several arguments at once, encoded
//! as one sequence, for `map` with a `chunksize`, and its reply carries the
//! sequence of results. The `id` is the caller's: the reply repeats it so
//! replies may come back in any order.
//!
//! Both envelopes encode with postcard like the values inside them; the
//! byte buffers inside go in as one length and a copy (`serde_bytes`), not
//! byte by byte.

use crate::{decode, encode, WireError};
use pyrt_executor::PyResult;
use serde::{Deserialize, Serialize};

/// Whether a [`Call`] carries one argument or a chunk of them.
///
/// ```
/// use pyrt_remote::CallKind;
/// assert_ne!(CallKind::One, CallKind::Chunk);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CallKind {
    /// `args` is one encoded argument; the reply's bytes one result.
    One,
    /// `args` is an encoded sequence of arguments; the reply's bytes the
    /// encoded sequence of their results, in order. As in CPython's
    /// `_process_chunk`, the first call that raises ends the chunk and its
    /// exception is the reply.
    Chunk,
}

/// A request to run a registered function.
///
/// ```
/// use pyrt_remote::{Call, CallKind};
/// let call = Call { id: 1, function: "square".into(), kind: CallKind::One, args: vec![3] };
/// assert_eq!(Call::from_bytes(&call.to_bytes()?)?, call);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Call {
    /// The caller's id for this call, repeated in the reply.
    pub id: u64,
    /// The registered name of the function.
    pub function: String,
    /// One argument or a chunk.
    pub kind: CallKind,
    /// The encoded argument(s).
    #[serde(with = "serde_bytes")]
    pub args: Vec<u8>,
}

impl Call {
    /// The call as bytes.
    pub fn to_bytes(&self) -> PyResult<Vec<u8>> {
        encode(self, "call envelope")
    }

    /// A call from bytes made by [`Call::to_bytes`]; other bytes are a
    /// `TypeError`.
    pub fn from_bytes(bytes: &[u8]) -> PyResult<Call> {
        decode(bytes, "call envelope")
    }
}

/// The answer to a [`Call`]: its id and the encoded result, or the
/// exception the call raised.
///
/// ```
/// use pyrt_executor::PyException;
/// use pyrt_remote::{Reply, WireError};
/// let e = PyException::KeyError("'k'".into());
/// let reply = Reply { id: 9, outcome: Err(WireError::from_exception(&e)) };
/// let back = Reply::from_bytes(&reply.to_bytes()?)?;
/// assert_eq!(back.outcome.map_err(WireError::into_exception), Err(e));
/// # Ok::<(), PyException>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reply {
    /// The id of the call this answers.
    pub id: u64,
    /// The encoded result(s), or what the call raised.
    #[serde(with = "outcome_bytes")]
    pub outcome: Result<Vec<u8>, WireError>,
}

impl Reply {
    /// The reply as bytes.
    pub fn to_bytes(&self) -> PyResult<Vec<u8>> {
        encode(self, "reply envelope")
    }

    /// A reply from bytes made by [`Reply::to_bytes`]; other bytes are a
    /// `TypeError`.
    pub fn from_bytes(bytes: &[u8]) -> PyResult<Reply> {
        decode(bytes, "reply envelope")
    }
}

/// `Result<Vec<u8>, WireError>` with the bytes as one buffer.
mod outcome_bytes {
    use super::WireError;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize)]
    #[serde(rename = "Outcome")]
    enum Ref<'a> {
        Ok(#[serde(with = "serde_bytes")] &'a [u8]),
        Err(&'a WireError),
    }

    #[derive(Deserialize)]
    #[serde(rename = "Outcome")]
    enum Owned {
        Ok(#[serde(with = "serde_bytes")] Vec<u8>),
        Err(WireError),
    }

    pub fn serialize<S: Serializer>(
        outcome: &Result<Vec<u8>, WireError>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match outcome {
            Ok(bytes) => Ref::Ok(bytes),
            Err(e) => Ref::Err(e),
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Result<Vec<u8>, WireError>, D::Error> {
        Ok(match Owned::deserialize(d)? {
            Owned::Ok(bytes) => Ok(bytes),
            Owned::Err(e) => Err(e),
        })
    }
}
