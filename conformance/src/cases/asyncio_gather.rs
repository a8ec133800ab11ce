//! Twin of `cases/asyncio_gather.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    fn work(x: u64) -> PyResult<u64> {
        if x == 2 {
            return Err(PyException::ValueError("two".into()));
        }
        Ok(x * 10)
    }
    asyncio::run(async {
        let fs: Vec<Future<u64>> = (0..4u64)
            .map(|i| asyncio::to_thread(move || work(i)))
            .collect();
        let results = asyncio::gather(fs).await;
        let shown: Vec<String> = results
            .iter()
            .map(|r| match r {
                Ok(v) => v.to_string(),
                Err(e) => format!("'{}'", exc(e)),
            })
            .collect();
        println!("[{}]", shown.join(", "));
    });
}
