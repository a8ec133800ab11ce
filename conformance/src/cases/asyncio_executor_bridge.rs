//! Twin of `cases/asyncio_executor_bridge.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    fn work(x: u64) -> u64 {
        x * 3
    }
    asyncio::run(async {
        let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
        let a = asyncio::run_in_executor(Some(&ex), || work(4))
            .await
            .unwrap();
        let b2 = asyncio::run_in_executor(None, || work(5)).await.unwrap();
        drop(ex);
        let c = asyncio::to_thread(|| work(6)).await.unwrap();
        let fut: Future<u64> = ThreadPoolExecutor::new(Some(1))
            .unwrap()
            .submit(|| work(7))
            .unwrap();
        let d = asyncio::wrap_future(fut).await.unwrap();
        println!("{a} {b2} {c} {d}");
    });
}
