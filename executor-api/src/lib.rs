//! The Python-shaped face of the scheduler: what transpiled Python calls.
//!
//! One module per Python module:
//! [`concurrent::futures`], [`threading`], [`queue`], [`multiprocessing`],
//! [`asyncio`], [`sys`], [`atexit`]; plus [`channels`] for message passing,
//! and [`report`] for how exceptions nobody receives are reported (hooks and
//! loggers). A translated program's main body runs under [`run_main`],
//! which ends it the way CPython's interpreter does.
//!
//! The README's example (`fn main` is the program's main body):
//!
//! ```
//! use pyrt_executor::concurrent::futures::{Future, ThreadPoolExecutor};
//! use pyrt_executor::multiprocessing::Pool;
//! use pyrt_executor::PyResult;
//!
//! fn main() -> PyResult<()> {
//!     // with ThreadPoolExecutor(max_workers=4) as ex:
//!     let ex = ThreadPoolExecutor::new(Some(4))?;
//!     let f: Future<u64> = ex.submit(move || 6 * 7)?;        // ex.submit(lambda: 6 * 7)
//!     assert_eq!(f.result(None)?, 42);                        // f.result()
//!     let it = ex.map(|x: u64| x + 1, 0..10u64, None, None)?; // ex.map(lambda x: x + 1, range(10))
//!     assert_eq!(it.collect::<PyResult<Vec<_>>>()?, (1..11).collect::<Vec<_>>());
//!     ex.shutdown(true, false);                               // ex.shutdown(wait=True)
//!
//!     // with Pool(2) as pool: pool.map(square, range(1000))
//!     let pool = Pool::new(Some(2))?;
//!     let out: Vec<u64> = pool.map(|x: u64| x * x, 0..1000u64, None)?;
//!     assert_eq!(out[999], 998_001);
//!     Ok(())
//! }
//! ```
//!
//! Every Python API and its Rust call, with "Where we differ from
//! CPython", is in the mapping,
//! [`docs/python-mapping.md`](https://github.com/pyrt-dev/pyrt/blob/main/docs/python-mapping.md);
//! a transpiler reads its typed form, `docs/python-mapping.json` (schema:
//! `docs/python-mapping.schema.json`).
//!
//! Rules for the transpiler: a Python parameter with a default becomes an
//! `Option` parameter in Python's order; classes with many keyword options
//! also get a builder. Every Python exception is a [`PyException`] variant
//! whose `Display` is Python's message; its [`PyClass`] places it in
//! CPython's class tree, so `except Base:` is `e.is_instance_of(&Base)`.

#![deny(missing_docs)]
#![deny(missing_debug_implementations)]

// The engine is published as `pyrt-scheduler`; inside this crate it is just
// `scheduler`, as in every other crate of the workspace.
extern crate pyrt_scheduler as scheduler;

pub mod asyncio;
pub mod atexit;
pub mod channels;
pub mod concurrent;
pub mod exceptions;
mod exit;
pub mod multiprocessing;
pub mod queue;
pub mod report;
pub mod sys;
pub mod threading;
mod waiting;

pub use exceptions::{IntoPyResult, PyClass, PyException, PyResult, SystemExitCode, UserClass};
pub use exit::run_main;

/// The README's Rust example, compiled and run as a doctest.
/// (`tests::readme_example_is_the_crate_docs_example` keeps the copy in the
/// crate docs above the same.)
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

#[cfg(test)]
mod tests {
    /// The crate docs show the README's example: the same lines.
    #[test]
    fn readme_example_is_the_crate_docs_example() {
        let readme = include_str!("../README.md");
        let start = readme
            .find("## The API in one example")
            .expect("README section");
        let code = &readme[start..];
        let code = &code[code.find("```rust\n").expect("rust block") + 8..];
        let code = &code[..code.find("```").expect("block end")];
        let docs: String = include_str!("lib.rs")
            .lines()
            .filter_map(|l| l.strip_prefix("//!"))
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            docs.contains(code.trim_end()),
            "README example missing from the crate docs"
        );
    }
}
