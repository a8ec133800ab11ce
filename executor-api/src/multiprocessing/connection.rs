//! `multiprocessing.Pipe()`: two connected ends.

use std::sync::Mutex;
use std::time::Duration;

use crate::channels::{channel, Receiver, Sender};
use crate::exceptions::{PyException, PyResult};

/// One end of a [`Pipe`]. On a one-way pipe, `send` on the receiving end
/// raises `OSError: connection is read-only` and `recv`/`poll` on the
/// sending end `OSError: connection is write-only`, as in CPython.
///
/// ```
/// use executor_api::multiprocessing::Pipe;
/// let (reader, writer) = Pipe(Some(false));
/// writer.send(1)?;
/// assert_eq!(reader.recv()?, 1);
/// assert_eq!(reader.send(2).unwrap_err().to_string(), "OSError: connection is read-only");
/// assert_eq!(writer.recv().unwrap_err().to_string(), "OSError: connection is write-only");
/// # Ok::<(), executor_api::PyException>(())
/// ```
pub struct Connection<T> {
    tx: Mutex<Option<Sender<T>>>,
    rx: Mutex<Option<Receiver<T>>>,
    /// A message taken by `poll` and not yet `recv`ed.
    peeked: Mutex<Option<T>>,
    readable: bool,
    writable: bool,
}

impl<T> std::fmt::Debug for Connection<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("readable", &self.readable)
            .field("writable", &self.writable)
            .finish()
    }
}

/// `multiprocessing.Pipe(duplex=True)`: with `duplex`, both ends send and
/// receive; otherwise the first end only receives and the second only sends.
///
/// ```
/// use executor_api::multiprocessing::Pipe;
/// let (a, b) = Pipe(None);
/// a.send("hi")?;
/// assert!(b.poll(None)?);
/// assert_eq!(b.recv()?, "hi");
/// a.close();
/// assert_eq!(b.recv().unwrap_err().name(), "EOFError");
/// # Ok::<(), executor_api::PyException>(())
/// ```
#[allow(non_snake_case)]
pub fn Pipe<T>(duplex: Option<bool>) -> (Connection<T>, Connection<T>) {
    let (tx1, rx1) = channel(None);
    if duplex.unwrap_or(true) {
        let (tx2, rx2) = channel(None);
        (
            Connection::new(Some(tx1), Some(rx2)),
            Connection::new(Some(tx2), Some(rx1)),
        )
    } else {
        (
            Connection::new(None, Some(rx1)),
            Connection::new(Some(tx1), None),
        )
    }
}

fn closed() -> PyException {
    PyException::OSError("handle is closed".into())
}

impl<T> Connection<T> {
    fn new(tx: Option<Sender<T>>, rx: Option<Receiver<T>>) -> Self {
        Connection {
            readable: rx.is_some(),
            writable: tx.is_some(),
            tx: Mutex::new(tx),
            rx: Mutex::new(rx),
            peeked: Mutex::new(None),
        }
    }

    /// `send(obj)`: `OSError: connection is read-only` on a receive-only end.
    pub fn send(&self, obj: T) -> PyResult<()> {
        if !self.writable {
            return Err(PyException::OSError("connection is read-only".into()));
        }
        let tx = self.tx.lock().unwrap_or_else(|p| p.into_inner());
        match tx.as_ref() {
            Some(tx) => tx
                .send(obj)
                .map_err(|_| PyException::BrokenPipeError("[Errno 32] Broken pipe".into())),
            None => Err(closed()),
        }
    }

    fn receiver(&self) -> PyResult<Receiver<T>> {
        if !self.readable {
            return Err(PyException::OSError("connection is write-only".into()));
        }
        self.rx
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(closed)
    }

    /// `recv()`: the next message; `EOFError` once the other end is closed
    /// and nothing is left.
    pub fn recv(&self) -> PyResult<T> {
        if let Some(v) = self.peeked.lock().unwrap_or_else(|p| p.into_inner()).take() {
            return Ok(v);
        }
        self.receiver()?
            .recv()
            .map_err(|_| PyException::EOFError(String::new()))
    }

    /// `poll(timeout=0)`: true if a message can be received now (or within
    /// `timeout` seconds). Python's `poll(None)` (wait without limit) is
    /// `poll(Some(f64::INFINITY))`; a negative timeout is `0`, as in Python.
    pub fn poll(&self, timeout: Option<f64>) -> PyResult<bool> {
        let mut peeked = self.peeked.lock().unwrap_or_else(|p| p.into_inner());
        if peeked.is_some() {
            return Ok(true);
        }
        let rx = self.receiver()?;
        let secs = timeout.unwrap_or(0.0);
        let got = if secs > 0.0 {
            rx.recv_timeout(Duration::from_secs_f64(secs.min(1e9)))
        } else {
            rx.try_recv()
        };
        match got {
            Ok(v) => {
                *peeked = Some(v);
                Ok(true)
            }
            // A closed pipe is "readable": recv() will raise EOFError.
            Err(e) if e.name() == "EOFError" => Ok(true),
            Err(_) => Ok(false),
        }
    }

    /// `close()`: the other end's `recv` then raises `EOFError`.
    pub fn close(&self) {
        self.tx.lock().unwrap_or_else(|p| p.into_inner()).take();
        self.rx.lock().unwrap_or_else(|p| p.into_inner()).take();
    }
}
