//! The native demo: a Mandelbrot image computed the way a transpiled Python
//! program would do it — `ThreadPoolExecutor.submit` per row and
//! `multiprocessing.Pool.map` over the rows — next to sequential code and
//! rayon on the same work. Prints a table of times, speed-ups and per-worker
//! stats, and `checksum: N`, which every variant must agree on.
//!
//! `DEMO_QUICK=1` shrinks the image so the run takes a second or two.

use std::time::{Duration, Instant};

use demos::workload::{self, Params};
use executor_api::concurrent::futures::{Future, ThreadPoolExecutor};
use executor_api::multiprocessing::{cpu_count, Pool};
use executor_api::PyResult;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use scheduler::PoolStats;

/// One measured variant.
struct Run {
    name: String,
    workers: usize,
    time: Duration,
    checksum: u64,
    stats: Option<PoolStats>,
}

fn progress(p: Params, label: &str) -> ProgressBar {
    let bar = ProgressBar::new(p.height as u64);
    bar.set_style(
        ProgressStyle::with_template("{prefix:>28} [{bar:40}] {pos}/{len} rows")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(label.to_string());
    bar
}

fn sequential(p: Params) -> Run {
    let bar = progress(p, "sequential");
    let start = Instant::now();
    let rows: Vec<Vec<u32>> = (0..p.height)
        .map(|y| {
            let row = workload::render_row(p, y);
            bar.inc(1);
            row
        })
        .collect();
    let time = start.elapsed();
    bar.finish_and_clear();
    Run {
        name: "sequential".into(),
        workers: 1,
        time,
        checksum: workload::checksum(&rows),
        stats: None,
    }
}

/// `with ThreadPoolExecutor(n) as ex: fs = [ex.submit(row, y) for y in ...]`
fn executor_submit(p: Params, workers: usize) -> PyResult<Run> {
    let label = format!("ThreadPoolExecutor({workers}).submit");
    let bar = progress(p, &label);
    let ex = ThreadPoolExecutor::new(Some(workers as i64))?;
    let start = Instant::now();
    let futures: Vec<Future<Vec<u32>>> = (0..p.height)
        .map(|y| {
            let bar = bar.clone();
            ex.submit(move || {
                let row = workload::render_row(p, y);
                bar.inc(1);
                row
            })
        })
        .collect::<PyResult<_>>()?;
    let rows: Vec<Vec<u32>> = futures
        .iter()
        .map(|f| f.result(None))
        .collect::<PyResult<_>>()?;
    let time = start.elapsed();
    bar.finish_and_clear();
    let stats = ex.stats();
    ex.shutdown(true, false);
    Ok(Run {
        name: label,
        workers,
        time,
        checksum: workload::checksum(&rows),
        stats: Some(stats),
    })
}

/// `with Pool(n) as pool: rows = pool.map(row, range(height))`
fn pool_map(p: Params, workers: usize) -> PyResult<Run> {
    let label = format!("Pool({workers}).map");
    let bar = progress(p, &label);
    let pool = Pool::new(Some(workers as i64))?;
    let start = Instant::now();
    let b = bar.clone();
    let rows: Vec<Vec<u32>> = pool.map(
        move |y: usize| {
            let row = workload::render_row(p, y);
            b.inc(1);
            row
        },
        0..p.height,
        None,
    )?;
    let time = start.elapsed();
    bar.finish_and_clear();
    let stats = pool.stats();
    pool.close();
    pool.join()?;
    Ok(Run {
        name: label,
        workers,
        time,
        checksum: workload::checksum(&rows),
        stats: Some(stats),
    })
}

fn rayon_par_iter(p: Params, workers: usize) -> Run {
    let label = format!("rayon par_iter ({workers})");
    let bar = progress(p, &label);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .expect("rayon pool");
    let start = Instant::now();
    let rows: Vec<Vec<u32>> = pool.install(|| {
        (0..p.height)
            .into_par_iter()
            .map(|y| {
                let row = workload::render_row(p, y);
                bar.inc(1);
                row
            })
            .collect()
    });
    let time = start.elapsed();
    bar.finish_and_clear();
    Run {
        name: label,
        workers,
        time,
        checksum: workload::checksum(&rows),
        stats: None,
    }
}

fn print_table(runs: &[Run]) {
    let base = runs[0].time.as_secs_f64();
    println!(
        "{:<34} {:>7} {:>10} {:>8}  per-worker executed/stolen",
        "variant", "workers", "time (ms)", "speedup"
    );
    for r in runs {
        let per_worker = r.stats.as_ref().map_or(String::new(), |s| {
            s.workers
                .iter()
                .map(|w| format!("{}/{}", w.executed, w.stolen))
                .collect::<Vec<_>>()
                .join(" ")
        });
        println!(
            "{:<34} {:>7} {:>10.1} {:>7.2}x  {}",
            r.name,
            r.workers,
            r.time.as_secs_f64() * 1e3,
            base / r.time.as_secs_f64(),
            per_worker
        );
    }
}

fn main() -> PyResult<()> {
    let p = Params::from_env();
    let n = cpu_count();
    println!(
        "Mandelbrot {}x{}, max_iter {}, {} CPUs",
        p.width, p.height, p.max_iter, n
    );
    let runs = vec![
        sequential(p),
        executor_submit(p, 1)?,
        executor_submit(p, n)?,
        pool_map(p, 1)?,
        pool_map(p, n)?,
        rayon_par_iter(p, n),
    ];
    print_table(&runs);
    let expected = runs[0].checksum;
    if let Some(bad) = runs.iter().find(|r| r.checksum != expected) {
        eprintln!(
            "checksum mismatch: {} gave {}, sequential gave {}",
            bad.name, bad.checksum, expected
        );
        std::process::exit(1);
    }
    println!("checksum: {expected}");
    Ok(())
}
