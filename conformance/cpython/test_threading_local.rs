//! Ports of CPython 3.11's `Lib/test/test_threading_local.py` (see `SKIPPED.md` for the
//! tests that cannot apply, with the reason).

mod common;
