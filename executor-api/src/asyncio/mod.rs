//! The `asyncio` bridge: `run_in_executor`, `to_thread`, `wrap_future`,
//! returning ordinary `std::future::Future`s.
