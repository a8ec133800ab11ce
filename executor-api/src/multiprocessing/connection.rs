//! `multiprocessing.Pipe()`: two connected ends.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::channels::{channel, Receiver, Sender};
use crate::exceptions::{PyException, PyResult};

/// One end of a [`Pipe`]. On a one-way pipe, `send` on the receiving end
/// raises `OSError: connection is read-only` and `recv`/`poll` on the
/// sending end `OSError: connection is write-only`, as in CPython.
///
/// ```
/// use pyrt_executor::multiprocessing::Pipe;
/// let (reader, writer) = Pipe(Some(false));
/// writer.send(1)?;
/// assert_eq!(reader.recv()?, 1);
/// assert_eq!(reader.send(2).unwrap_err().to_string(), "OSError: connection is read-only");
/// assert_eq!(writer.recv().unwrap_err().to_string(), "OSError: connection is write-only");
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub struct Connection<T> {
    tx: Mutex<Option<Sender<T>>>,
    rx: Mutex<Option<Receiver<T>>>,
    /// A message taken by `poll` and not yet `recv`ed.
    peeked: Mutex<Option<T>>,
    readable: bool,
    writable: bool,
    closed: AtomicBool,
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
/// use pyrt_executor::multiprocessing::Pipe;
/// let (a, b) = Pipe(None);
/// a.send("hi")?;
/// assert!(b.poll(None)?);
/// assert_eq!(b.recv()?, "hi");
/// a.close();
/// assert_eq!(b.recv().unwrap_err().name(), "EOFError");
/// # Ok::<(), pyrt_executor::PyException>(())
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
            closed: AtomicBool::new(false),
        }
    }

    /// `send(obj)`: `OSError: connection is read-only` on a receive-only end.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pipe;
    /// let (a, b) = Pipe(None);
    /// a.send("hello")?;
    /// assert_eq!(b.recv()?, "hello");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn send(&self, obj: T) -> PyResult<()> {
        self.check_closed()?;
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
        self.check_closed()?;
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
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pipe;
    /// let (a, b) = Pipe(None);
    /// b.send(3)?; // duplex: both ends send and receive
    /// assert_eq!(a.recv()?, 3);
    /// drop(b);
    /// assert_eq!(a.recv().unwrap_err().name(), "EOFError"); // the other end is gone
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
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
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pipe;
    /// let (a, b) = Pipe(None);
    /// assert!(!b.poll(None)?); // nothing yet (poll() does not wait)
    /// a.send(1)?;
    /// assert!(b.poll(Some(1.0))?);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
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

    /// `close()`: the other end's `recv` then raises `EOFError`; this
    /// end's methods raise `OSError: handle is closed`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pipe;
    /// let (a, _b) = Pipe::<i32>(None);
    /// a.close();
    /// assert!(a.closed());
    /// assert_eq!(a.send(1).unwrap_err().name(), "OSError");
    /// ```
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.tx.lock().unwrap_or_else(|p| p.into_inner()).take();
        self.rx.lock().unwrap_or_else(|p| p.into_inner()).take();
        self.peeked.lock().unwrap_or_else(|p| p.into_inner()).take();
    }

    /// `closed`: whether [`close`](Self::close) was called.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pipe;
    /// let (a, _b) = Pipe::<i32>(None);
    /// assert!(!a.closed());
    /// ```
    pub fn closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// `readable`: whether this end receives (false for the sending end
    /// of a one-way pipe).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pipe;
    /// let (reader, writer) = Pipe::<i32>(Some(false)); // Pipe(duplex=False)
    /// assert!(reader.readable() && !writer.readable());
    /// ```
    pub fn readable(&self) -> bool {
        self.readable
    }

    /// `writable`: whether this end sends (false for the receiving end of
    /// a one-way pipe).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pipe;
    /// let (reader, writer) = Pipe::<i32>(Some(false));
    /// assert!(writer.writable() && !reader.writable());
    /// ```
    pub fn writable(&self) -> bool {
        self.writable
    }

    /// `send_bytes(buf, offset=0, size=None)`: sends `buf[offset:offset +
    /// size]` as one message, with CPython's `ValueError`s: `offset is
    /// negative`, `buffer length < offset`, `size is negative`, `buffer
    /// length < offset + size`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pipe;
    /// let (a, b) = Pipe::<Vec<u8>>(None);
    /// a.send_bytes(b"abcdefgh", Some(2), Some(3))?;
    /// assert_eq!(b.recv_bytes(None)?, b"cde");
    /// assert_eq!(a.send_bytes(b"abc", Some(4), None).unwrap_err().to_string(),
    ///            "ValueError: buffer length < offset");
    /// a.send_bytes(b"toolong", None, None)?;
    /// assert_eq!(b.recv_bytes(Some(3)).unwrap_err().to_string(), "OSError: bad message length");
    /// assert!(b.closed());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn send_bytes(&self, buf: &[u8], offset: Option<i64>, size: Option<i64>) -> PyResult<()>
    where
        T: From<Vec<u8>>,
    {
        self.check_closed()?;
        let n = buf.len() as i64;
        let offset = offset.unwrap_or(0);
        if offset < 0 {
            return Err(PyException::ValueError("offset is negative".into()));
        }
        if n < offset {
            return Err(PyException::ValueError("buffer length < offset".into()));
        }
        let size = match size {
            None => n - offset,
            Some(s) if s < 0 => return Err(PyException::ValueError("size is negative".into())),
            Some(s) if offset + s > n => {
                return Err(PyException::ValueError(
                    "buffer length < offset + size".into(),
                ))
            }
            Some(s) => s,
        };
        let (lo, hi) = (offset as usize, (offset + size) as usize);
        self.send(T::from(buf[lo..hi].to_vec()))
    }

    /// `recv_bytes(maxlength=None)`: the next message as bytes; `EOFError`
    /// as [`recv`](Self::recv); `ValueError: negative maxlength`; a message
    /// longer than `maxlength` closes this end and raises `OSError: bad
    /// message length`, as in CPython.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pipe;
    /// let (a, b) = Pipe::<Vec<u8>>(None);
    /// a.send_bytes(b"abc", None, None)?;
    /// assert_eq!(b.recv_bytes(None)?, b"abc");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn recv_bytes(&self, maxlength: Option<i64>) -> PyResult<Vec<u8>>
    where
        T: Into<Vec<u8>>,
    {
        if matches!(maxlength, Some(m) if m < 0) {
            return Err(PyException::ValueError("negative maxlength".into()));
        }
        let bytes: Vec<u8> = self.recv()?.into();
        if matches!(maxlength, Some(m) if bytes.len() as i64 > m) {
            self.close();
            return Err(PyException::OSError("bad message length".into()));
        }
        Ok(bytes)
    }

    fn check_closed(&self) -> PyResult<()> {
        if self.closed() {
            return Err(closed());
        }
        Ok(())
    }
}
