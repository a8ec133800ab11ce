//! Ports of CPython 3.11's `Lib/test/lock_tests.py` (see `SKIPPED.md` for the
//! tests that cannot apply, with the reason).

mod common;
