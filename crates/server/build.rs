//! Links the server's program with a symbol order when `cargo xtask bench` or `bundle` provides
//! one (`LLMGEN_SYMBOL_ORDER`, the path of a file of symbol names, one per line): the functions a
//! serving session runs, placed next to each other. Every AI client starts its own server, and
//! the kernel maps a program's code 64 KiB at a time around each page it runs; ordered, a session
//! maps about 2 MB of code instead of most of the 10 to 17 MB (BENCHMARKS.md). Other builds (tests,
//! `cargo install`) link as usual.

fn main() {
    println!("cargo:rerun-if-env-changed=LLMGEN_SYMBOL_ORDER");
    let Some(order) = std::env::var_os("LLMGEN_SYMBOL_ORDER").filter(|p| !p.is_empty()) else {
        return;
    };
    let order = std::path::PathBuf::from(order);
    // A new order (another profile of the session) relinks; a missing file would make cargo run
    // this script on every build, so xtask creates it first.
    println!("cargo:rerun-if-changed={}", order.display());
    for arg in [
        format!("-Wl,--symbol-ordering-file={}", order.display()),
        // Names of the profiled build that a later build no longer has are expected, not errors.
        "-Wl,--no-warn-symbol-ordering".to_string(),
    ] {
        println!("cargo:rustc-link-arg-bin=mcp-llm-generator={arg}");
    }
}
