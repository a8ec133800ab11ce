//! Workers on `std::thread`: native targets, and `wasm32-wasip1-threads`,
//! where std starts a thread through wasi-threads (the `wasi`/`thread-spawn`
//! import, entering the new instance at `wasi_thread_start`).

use std::io;

use super::{Spawner, WorkerStart};

/// Starts workers as `std::thread`s (native, and wasi-threads on
/// `wasm32-wasip1-threads`, where std's threads are `wasi_thread_spawn`).
///
/// ```
/// use pyrt_scheduler::{StdSpawner, ThreadPoolBuilder};
/// let pool = ThreadPoolBuilder::new().num_threads(1).spawner(StdSpawner).build().unwrap();
/// assert_eq!(pool.install(|| 6 * 7), 42);
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct StdSpawner;

impl Spawner for StdSpawner {
    fn spawn(&self, start: WorkerStart) -> io::Result<()> {
        #[cfg(pyrt_threads)]
        {
            let mut builder = std::thread::Builder::new().name(start.name().to_owned());
            if let Some(size) = start.stack_size() {
                builder = builder.stack_size(size);
            }
            builder.spawn(move || start.run()).map(drop)
        }
        #[cfg(not(pyrt_threads))]
        {
            drop(start);
            Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "this target has no threads",
            ))
        }
    }
}
