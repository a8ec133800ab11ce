//! `asyncio.gather(*aws)`: await several futures, results in order.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The future returned by [`gather`].
///
/// ```
/// use pyrt_executor::asyncio::{gather, run, to_thread, Gather};
/// let g: Gather<_> = gather(vec![to_thread(|| 1), to_thread(|| 2)]);
/// let out = run(g).into_iter().collect::<Result<Vec<i32>, _>>()?;
/// assert_eq!(out, [1, 2]); // in input order
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Debug)]
pub struct Gather<F: Future> {
    futures: Vec<Option<Pin<Box<F>>>>,
    outputs: Vec<Option<F::Output>>,
}

/// `asyncio.gather(*aws)`: completes when every future has, with their
/// outputs in the order given (each output is the future's own
/// `PyResult`, like `return_exceptions=True`).
///
/// ```
/// use pyrt_executor::asyncio::{gather, run};
/// let out = run(gather((1..=3).map(|i| async move { i * 10 }).collect()));
/// assert_eq!(out, vec![10, 20, 30]);
/// ```
pub fn gather<F: Future>(futures: Vec<F>) -> Gather<F> {
    let n = futures.len();
    Gather {
        futures: futures.into_iter().map(|f| Some(Box::pin(f))).collect(),
        outputs: (0..n).map(|_| None).collect(),
    }
}

impl<F: Future> Unpin for Gather<F> {}

impl<F: Future> Future for Gather<F> {
    type Output = Vec<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let mut pending = false;
        for (slot, out) in this.futures.iter_mut().zip(this.outputs.iter_mut()) {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => {
                        *out = Some(v);
                        *slot = None;
                    }
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(
                this.outputs
                    .iter_mut()
                    .map(|o| o.take().expect("ready"))
                    .collect(),
            )
        }
    }
}
