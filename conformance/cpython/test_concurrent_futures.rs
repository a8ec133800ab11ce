//! Ports of CPython 3.11's `Lib/test/test_concurrent_futures.py` (see `SKIPPED.md` for the
//! tests that cannot apply, with the reason).

mod common;
