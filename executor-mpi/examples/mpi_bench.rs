//! Our side of `scripts/mpi_bench.sh` (a benchmark, not a test): the same
//! rows as `scripts/mpi_bench.py` runs on `mpi4py.futures`, in the same
//! `mpirun` session shape. Prints one `bench <row> <value> <unit>` line
//! per row, which the script puts in a table.
//!
//! ```sh
//! mpirun -n 3 --oversubscribe target/release/examples/mpi_bench
//! ```
//!
//! Rows: `submit_result` (µs per task: N tiny tasks submitted, then every
//! result), `round_trip` (µs per sequential submit → result), `map_1m`
//! (µs per item of `map` over 1M tiny items, chunksize 10 000), `heavy_map`
//! (ms for 64 items of ~4 ms of arithmetic each, chunksize 1; the script
//! runs it with 1 and with 2 serving ranks and reports the speed-up).
//! `PYRT_BENCH=heavy` runs only the heavy row.

use pyrt_executor::concurrent::futures::Future;
use pyrt_executor::PyResult;
use pyrt_mpi::{MpiCommExecutor, Registry, RemoteFn};
use std::time::Instant;

/// ~`n` × 1 ns of dependent arithmetic that the optimiser cannot drop.
fn spin(n: u64) -> u64 {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..n {
        x = x.rotate_left(5) ^ i.wrapping_mul(0x2545_f491_4f6c_dd1d);
    }
    x
}

fn main() -> PyResult<()> {
    let mut registry = Registry::new();
    let tiny: RemoteFn<u64, u64> = registry.register("tiny", |x: u64| x + 1);
    let heavy: RemoteFn<u64, u64> = registry.register("heavy", |n: u64| spin(n));
    let threads = std::env::var("PYRT_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse().ok());
    let Some(ex) = MpiCommExecutor::builder()
        .threads_per_rank(threads.or(Some(1)))
        .start(registry)?
    else {
        return Ok(());
    };
    let only_heavy = std::env::var("PYRT_BENCH").as_deref() == Ok("heavy");
    if !only_heavy {
        // Warm up connections and the pools.
        for x in 0..200 {
            ex.submit(&tiny, x)?.result(None)?;
        }
        let n = 20_000u64;
        let t = Instant::now();
        let fs: Vec<Future<u64>> = (0..n)
            .map(|x| ex.submit(&tiny, x))
            .collect::<PyResult<_>>()?;
        let mut sum = 0;
        for f in &fs {
            sum += f.result(None)?;
        }
        assert_eq!(sum, n * (n + 1) / 2);
        println!(
            "bench submit_result {:.2} us",
            t.elapsed().as_secs_f64() * 1e6 / n as f64
        );

        let k = 2_000u64;
        let t = Instant::now();
        for x in 0..k {
            ex.submit(&tiny, x)?.result(None)?;
        }
        println!(
            "bench round_trip {:.2} us",
            t.elapsed().as_secs_f64() * 1e6 / k as f64
        );

        let items = 1_000_000u64;
        let t = Instant::now();
        let total: u64 = ex
            .map(&tiny, 0..items, None, Some(10_000))?
            .sum::<PyResult<u64>>()?;
        assert_eq!(total, items * (items + 1) / 2);
        println!(
            "bench map_1m {:.4} us",
            t.elapsed().as_secs_f64() * 1e6 / items as f64
        );
    }
    // The same work in every run (a few ms per item here).
    let per_item = 4_000_000;
    let t = Instant::now();
    let out: Vec<u64> = ex
        .map(&heavy, vec![per_item; 64], None, Some(1))?
        .collect::<PyResult<_>>()?;
    assert_eq!(out.len(), 64);
    println!(
        "bench heavy_map {:.1} ms ({} serving ranks x {} threads)",
        t.elapsed().as_secs_f64() * 1e3,
        ex.num_workers(),
        ex.max_workers() / ex.num_workers().max(1)
    );
    Ok(())
}
