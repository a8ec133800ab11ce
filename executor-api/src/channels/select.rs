//! `select` over several receivers: the first message from any of them.

use std::time::Duration;

use super::channel::Receiver;
use crate::exceptions::{PyException, PyResult};
use crate::waiting::{block_until, deadline};

/// Waits until one of `receivers` has a message (or is closed) and returns
/// its index with what it gave: the message, or `EOFError` for a closed,
/// drained channel. `timeout` expiring is `TimeoutError`. Receivers are
/// tried in order, so an earlier one wins when several are ready.
///
/// ```
/// use pyrt_executor::channels::{channel, select};
/// let (tx1, rx1) = channel::<&str>(None);
/// let (tx2, rx2) = channel::<&str>(None);
/// tx2.send("two")?;
/// let (i, msg) = select(&[&rx1, &rx2], None)?;
/// assert_eq!((i, msg?), (1, "two"));
/// drop(tx1);
/// let (i, msg) = select(&[&rx1, &rx2], None)?;
/// assert_eq!((i, msg.unwrap_err().name()), (0, "EOFError"));
/// # drop(tx2);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub fn select<T>(
    receivers: &[&Receiver<T>],
    timeout: Option<Duration>,
) -> PyResult<(usize, PyResult<T>)> {
    block_until(deadline(timeout), |waker| {
        receivers
            .iter()
            .enumerate()
            .find_map(|(i, r)| r.poll_recv(waker).map(|m| (i, m)))
    })
    .ok_or_else(|| PyException::TimeoutError(String::new()))
}
