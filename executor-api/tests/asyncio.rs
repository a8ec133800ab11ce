//! The asyncio bridge: our futures awaited from futures-lite, tokio and our
//! own pool.

use pyrt_executor::asyncio::{gather, run, run_in_executor, to_thread, wrap_future};
use pyrt_executor::concurrent::futures::{Future, ThreadPoolExecutor};
use pyrt_executor::{PyException, PyResult};

#[test]
fn to_thread_and_run_in_executor_with_futures_lite() {
    let v = futures_lite::future::block_on(to_thread(|| 6 * 7));
    assert_eq!(v, Ok(42));
    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    let f: Future<u8> = run_in_executor(Some(&ex), || -> PyResult<u8> {
        Err(PyException::ValueError("bad".into()))
    });
    assert_eq!(
        futures_lite::future::block_on(f).unwrap_err().to_string(),
        "ValueError: bad"
    );
}

#[cfg(not(target_family = "wasm"))]
#[test]
fn awaited_from_tokio() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    let out = rt.block_on(async {
        let fs: Vec<Future<u64>> = (0..10u64)
            .map(|i| run_in_executor(Some(&ex), move || i * i))
            .collect();
        let mut sum = 0;
        for f in fs {
            sum += f.await.unwrap();
        }
        sum
    });
    assert_eq!(out, (0..10u64).map(|i| i * i).sum::<u64>());
}

#[test]
fn our_pool_runs_async_blocks_that_await_our_futures() {
    let pool = pyrt_scheduler::ThreadPool::new(2).unwrap();
    let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
    let f = run_in_executor(Some(&ex), || "done");
    let task = pool.spawn_future(async move { wrap_future(f).await });
    assert_eq!(pool.block_on(task), Ok("done"));
}

#[test]
fn gather_keeps_order_and_errors_stay_per_future() {
    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    let fs: Vec<Future<u32>> = vec![
        run_in_executor(Some(&ex), || 1u32),
        run_in_executor(Some(&ex), || -> PyResult<u32> {
            Err(PyException::KeyError("k".into()))
        }),
        run_in_executor(Some(&ex), || 3u32),
    ];
    let out = run(gather(fs));
    assert_eq!(out[0], Ok(1));
    assert_eq!(out[1].as_ref().unwrap_err().name(), "KeyError");
    assert_eq!(out[2], Ok(3));
}

#[test]
fn shut_down_executors_and_cancelled_futures_surface_as_errors() {
    let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
    ex.shutdown(true, false);
    let f = run_in_executor(Some(&ex), || 1u8);
    assert_eq!(
        run(f).unwrap_err().to_string(),
        "RuntimeError: cannot schedule new futures after shutdown"
    );
    let pending: Future<u8> = Future::new();
    assert!(pending.cancel());
    assert_eq!(run(pending).unwrap_err().name(), "CancelledError");
}
