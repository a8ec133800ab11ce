//! The native demo's workload (`demos/src/workload.rs`, a Mandelbrot image
//! row by row) across the ranks of an MPI job:
//!
//! ```sh
//! cargo build --release -p pyrt-mpi --features mpi --example mpi_demo
//! mpirun -n 4 --oversubscribe target/release/examples/mpi_demo
//! ```
//!
//! Rank 0 maps `render_row` over the rows; every other rank renders rows on
//! its own pool. Prints a per-rank table (threads, rows, time spent
//! rendering) and `checksum: N`, which equals the native demo's
//! (`cargo run --release -p demos`; both honour `DEMO_QUICK=1`).

use demos::workload::{self, Params};
use pyrt_executor::PyResult;
use pyrt_mpi::{current_rank, MpiCommExecutor, Registry, RemoteFn};
use std::collections::BTreeMap;
use std::time::Instant;

/// A rendered row, who rendered it, and how long it took (seconds).
type Row = (Vec<u32>, usize, f64);

fn main() -> PyResult<()> {
    let p = Params::from_env();
    let mut registry = Registry::new();
    let render_row: RemoteFn<usize, Row> = registry.register("render_row", move |y: usize| {
        let start = Instant::now();
        let row = workload::render_row(p, y);
        (
            row,
            current_rank().unwrap_or(0),
            start.elapsed().as_secs_f64(),
        )
    });
    let threads = std::env::var("PYRT_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse().ok());
    // with MPICommExecutor() as ex: if ex is not None: ...
    let Some(ex) = MpiCommExecutor::builder()
        .threads_per_rank(threads)
        .start(registry)?
    else {
        return Ok(());
    };
    println!(
        "Mandelbrot {}x{}, max_iter {}: {} ranks ({} serving, {} threads in all)",
        p.width,
        p.height,
        p.max_iter,
        ex.size(),
        ex.num_workers(),
        ex.max_workers()
    );
    let start = Instant::now();
    let results: Vec<Row> = ex
        .map(&render_row, 0..p.height, None, Some(1))?
        .collect::<PyResult<_>>()?;
    let wall = start.elapsed();
    let mut per_rank: BTreeMap<usize, (usize, f64)> = BTreeMap::new();
    for (_, rank, secs) in &results {
        let e = per_rank.entry(*rank).or_default();
        e.0 += 1;
        e.1 += secs;
    }
    let threads: BTreeMap<usize, usize> = ex.stats().iter().map(|s| (s.rank, s.threads)).collect();
    println!(
        "{:>6} {:>8} {:>6} {:>12}",
        "rank", "threads", "rows", "render time"
    );
    for (rank, (rows, secs)) in &per_rank {
        println!(
            "{rank:>6} {:>8} {rows:>6} {:>10.1} ms",
            threads.get(rank).copied().unwrap_or(0),
            secs * 1e3
        );
    }
    println!("wall time: {:.1} ms", wall.as_secs_f64() * 1e3);
    let rows: Vec<Vec<u32>> = results.into_iter().map(|(row, _, _)| row).collect();
    println!("checksum: {}", workload::checksum(&rows));
    Ok(())
}
