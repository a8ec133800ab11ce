//! `asyncio.sleep`, `asyncio.wait_for` and `asyncio.shield`, for any async
//! runtime: deadlines are kept by one timer thread that wakes the waiting
//! tasks.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Condvar, Mutex, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use scheduler::Instant;

use crate::exceptions::{PyException, PyResult};

struct Entry {
    deadline: Instant,
    waker: Waker,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.deadline == other.deadline
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.deadline.cmp(&other.deadline)
    }
}

struct Timers {
    heap: Mutex<BinaryHeap<Reverse<Entry>>>,
    changed: Condvar,
}

/// The timer thread's state; `None` where no thread can be started (the
/// waiting task is then woken at once and polls again).
fn timers() -> Option<&'static Timers> {
    static TIMERS: OnceLock<Option<&'static Timers>> = OnceLock::new();
    *TIMERS.get_or_init(|| {
        let t: &'static Timers = Box::leak(Box::new(Timers {
            heap: Mutex::new(BinaryHeap::new()),
            changed: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name("asyncio-timers".into())
            .spawn(move || timer_loop(t))
            .ok()
            .map(|_| t)
    })
}

fn timer_loop(t: &'static Timers) {
    let mut heap = t.heap.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        let now = Instant::now();
        while heap.peek().is_some_and(|Reverse(e)| e.deadline <= now) {
            if let Some(Reverse(e)) = heap.pop() {
                e.waker.wake();
            }
        }
        heap = match heap.peek() {
            Some(Reverse(e)) => {
                let wait = e.deadline.saturating_duration_since(now);
                t.changed
                    .wait_timeout(heap, wait)
                    .unwrap_or_else(|p| p.into_inner())
                    .0
            }
            None => t.changed.wait(heap).unwrap_or_else(|p| p.into_inner()),
        };
    }
}

/// Wakes `waker` at `deadline`.
fn wake_at(deadline: Instant, waker: &Waker) {
    match timers() {
        Some(t) => {
            t.heap
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(Reverse(Entry {
                    deadline,
                    waker: waker.clone(),
                }));
            t.changed.notify_one();
        }
        None => waker.wake_by_ref(),
    }
}

/// Seconds as a deadline from now; a negative or NaN delay is now, a huge
/// one never.
fn deadline_in(secs: f64) -> Option<Instant> {
    let secs = if secs.is_nan() { 0.0 } else { secs.max(0.0) };
    Instant::now().checked_add(Duration::try_from_secs_f64(secs).ok()?)
}

/// The future returned by [`sleep`].
///
/// ```
/// use pyrt_executor::asyncio::{run, sleep, Sleep};
/// let s: Sleep = sleep(0.0); // ready at once
/// run(s);
/// ```
#[derive(Debug)]
pub struct Sleep {
    deadline: Option<Instant>,
}

/// `asyncio.sleep(delay)`: completes after `delay` seconds (at once for 0
/// or less), without blocking the thread that polls it.
///
/// ```
/// use pyrt_executor::asyncio::{run, sleep};
/// let t = std::time::Instant::now();
/// run(sleep(0.05));
/// assert!(t.elapsed().as_secs_f64() >= 0.05);
/// ```
pub fn sleep(delay: f64) -> Sleep {
    Sleep {
        deadline: deadline_in(delay),
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.deadline {
            Some(d) if Instant::now() >= d => Poll::Ready(()),
            Some(d) => {
                wake_at(d, cx.waker());
                Poll::Pending
            }
            None => Poll::Pending,
        }
    }
}

/// The future returned by [`wait_for`].
///
/// ```
/// use pyrt_executor::asyncio::{run, sleep, wait_for};
/// use pyrt_executor::{PyClass, PyException};
/// assert_eq!(run(wait_for(async { Ok::<_, PyException>(7) }, Some(1.0)))?, 7);
/// let slow = async {
///     sleep(3600.0).await;
///     Ok::<_, PyException>(())
/// };
/// let e = run(wait_for(slow, Some(0.01))).unwrap_err();
/// assert!(e.is_instance_of(&PyClass::TimeoutError));
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Debug)]
pub struct WaitFor<F> {
    future: Option<Pin<Box<F>>>,
    timer: Option<Sleep>,
}

/// `asyncio.wait_for(aw, timeout)`: the awaitable's result, or
/// `TimeoutError` (the builtin, which is `asyncio.TimeoutError`) when it
/// has not finished within `timeout` seconds (`None`: no limit; 0 or less:
/// only if it is done when first polled). On a timeout the awaitable is
/// dropped, which is how a Rust future is cancelled (an `async` block stops
/// at its await point; the call behind one of our
/// [`Future`](crate::concurrent::futures::Future)s runs on).
///
/// ```
/// use pyrt_executor::asyncio::{run, sleep, wait_for};
/// use pyrt_executor::{PyClass, PyResult};
/// let slow = async { sleep(10.0).await; PyResult::Ok(1) };
/// let e = run(wait_for(slow, Some(0.01))).unwrap_err();
/// assert!(e.is_instance_of(&PyClass::TimeoutError));
/// assert_eq!(run(wait_for(async { PyResult::Ok(2) }, Some(1.0)))?, 2);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub fn wait_for<F, T>(future: F, timeout: Option<f64>) -> WaitFor<F>
where
    F: Future<Output = PyResult<T>>,
{
    WaitFor {
        future: Some(Box::pin(future)),
        timer: timeout.map(sleep),
    }
}

impl<F: Future> Unpin for WaitFor<F> {}

impl<F, T> Future for WaitFor<F>
where
    F: Future<Output = PyResult<T>>,
{
    type Output = PyResult<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<PyResult<T>> {
        let this = &mut *self;
        let Some(fut) = this.future.as_mut() else {
            return Poll::Ready(Err(PyException::TimeoutError(String::new())));
        };
        if let Poll::Ready(r) = fut.as_mut().poll(cx) {
            this.future = None;
            return Poll::Ready(r);
        }
        if let Some(timer) = this.timer.as_mut() {
            if Pin::new(timer).poll(cx).is_ready() {
                this.future = None;
                return Poll::Ready(Err(PyException::TimeoutError(String::new())));
            }
        }
        Poll::Pending
    }
}

/// `asyncio.shield(aw)`: runs the awaitable as a task of its own (on
/// [`pyrt_scheduler::global`]) and returns a future of its result, so that
/// dropping (cancelling) what awaits it, e.g. a [`wait_for`] timing out,
/// does not stop it.
///
/// ```
/// use pyrt_executor::asyncio::{run, shield, sleep, wait_for};
/// use pyrt_executor::PyResult;
/// let inner = shield(async { sleep(0.05).await; PyResult::Ok(7) });
/// assert!(run(wait_for(inner.clone(), Some(0.0))).is_err()); // timed out
/// assert_eq!(inner.result(None)?, 7); // but it ran on
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub fn shield<F, T>(future: F) -> crate::concurrent::futures::Future<T>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: Send + 'static,
{
    let out = crate::concurrent::futures::Future::new();
    let _ = out.set_running_or_notify_cancel();
    let target = out.clone();
    scheduler::global()
        .spawn_future(async move {
            let _ = match future.await {
                Ok(v) => target.set_result(v),
                Err(e) => target.set_exception(e),
            };
        })
        .detach();
    out
}
