//! Opt-in diagnostics: with `CALLSTEER_LOG` set (a `tracing` filter such as `debug`, `trace` or
//! `callsteer=debug`) when the library's runtime starts (the first call that does
//! I/O), the core's `tracing` events — and the `log`
//! records of its HTTP and TLS libraries — are written to stderr (or to
//! `CALLSTEER_LOG_FILE`). Unset: nothing is installed.
//! Keys and tokens never appear in them (the core does not log secrets; the test suite checks
//! a `trace` log of real requests).

/// Installs the subscriber once if `CALLSTEER_LOG` is set; a no-op otherwise or when the
/// process already has a global subscriber. `CALLSTEER_LOG_FILE` (a path, appended to) replaces
/// stderr as the destination.
pub fn init_from_env() {
    let Ok(filter) = std::env::var("CALLSTEER_LOG") else {
        return;
    };
    if filter.trim().is_empty() {
        return;
    }
    let filter = tracing_subscriber::EnvFilter::try_new(filter.trim())
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("debug"));
    let file = std::env::var_os("CALLSTEER_LOG_FILE").and_then(|path| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .ok()
    });
    let writer = match file {
        Some(file) => {
            tracing_subscriber::fmt::writer::BoxMakeWriter::new(std::sync::Mutex::new(file))
        }
        None => tracing_subscriber::fmt::writer::BoxMakeWriter::new(std::io::stderr),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init();
}
