//! The demo's workload for WASI (and anywhere): the Mandelbrot rows by
//! `multiprocessing.Pool.map`, once with 1 worker and once with N, checked
//! against the sequential image. Prints `checksum: N` (identical to the
//! native demo's for the same size) and both times.
//!
//! On `wasm32-wasip1-threads` the workers are wasi-threads (run with
//! `wasmtime run -W threads=y -S threads=y --env PYRT_NUM_THREADS=2`); on
//! `wasm32-wasip1` there are no threads and every task runs inline.

use std::time::Instant;

use demos::workload::{self, Params};
use executor_api::multiprocessing::{cpu_count, Pool};
use executor_api::PyResult;

fn run(p: Params, workers: usize) -> PyResult<(u64, f64)> {
    let pool = Pool::new(Some(workers as i64))?;
    let start = Instant::now();
    let rows: Vec<Vec<u32>> = pool.map(
        move |y: usize| workload::render_row(p, y),
        0..p.height,
        None,
    )?;
    let secs = start.elapsed().as_secs_f64();
    pool.close();
    pool.join()?;
    Ok((workload::checksum(&rows), secs))
}

fn main() -> PyResult<()> {
    let p = Params::from_env();
    let n = cpu_count();
    let expected = workload::checksum(&workload::render_seq(p));
    let (c1, t1) = run(p, 1)?;
    let (cn, tn) = run(p, n)?;
    println!(
        "Mandelbrot {}x{}, max_iter {}; threads supported: {}",
        p.width,
        p.height,
        p.max_iter,
        scheduler::threads_supported()
    );
    println!("1 worker:  {:8.1} ms", t1 * 1e3);
    println!(
        "{n} workers: {:8.1} ms  (speed-up {:.2}x)",
        tn * 1e3,
        t1 / tn
    );
    if c1 != expected || cn != expected {
        eprintln!("checksum mismatch: sequential {expected}, 1 worker {c1}, {n} workers {cn}");
        std::process::exit(1);
    }
    println!("checksum: {expected}");
    Ok(())
}
