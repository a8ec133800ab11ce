//! Emits `cfg(pyrt_threads)` when the target can start threads, and
//! `cfg(pyrt_web)` for the browser build (`wasm32-unknown-unknown` with
//! atomics), whose threads are Web Workers.
//!
//! Stable Rust's `cfg` cannot tell `wasm32-wasip1` (no threads) from
//! `wasm32-wasip1-threads` (wasi-threads): both report the same target
//! features. So the spawner decides from the target name, or from the
//! `atomics` feature when it is enabled explicitly (the browser build).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(pyrt_threads)");
    println!("cargo::rustc-check-cfg=cfg(pyrt_web)");
    println!("cargo::rerun-if-env-changed=CARGO_CFG_TARGET_FEATURE");
    let target = std::env::var("TARGET").unwrap_or_default();
    let family = std::env::var("CARGO_CFG_TARGET_FAMILY").unwrap_or_default();
    let features = std::env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    let wasm = family.split(',').any(|f| f == "wasm");
    let atomics = features.split(',').any(|f| f == "atomics");
    let threads = !wasm || target.ends_with("-threads") || atomics;
    if threads {
        println!("cargo::rustc-cfg=pyrt_threads");
    }
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if wasm && os == "unknown" && atomics {
        println!("cargo::rustc-cfg=pyrt_web");
    }
}
