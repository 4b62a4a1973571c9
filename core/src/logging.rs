//! Opt-in diagnostics for applications that have no `tracing` subscriber of their own — above
//! all the language bindings, which call [`init_from_env`] when they load. With `CALLSTEER_LOG`
//! set to a `tracing` filter (`debug`, `trace`, `callsteer=debug` …) the core's events, and the
//! `log` records of its HTTP and TLS libraries, go to stderr or, with `CALLSTEER_LOG_FILE`, to
//! that file. Keys, tokens and signatures never appear in them (tests/secrets.rs and every
//! binding's secrets test read a `trace` log of real requests).

/// Installs a global subscriber once if `CALLSTEER_LOG` is set and not blank; a no-op otherwise,
/// or when the process already has one. An unparsable filter falls back to `debug`.
/// `CALLSTEER_LOG_FILE` (a path, appended to) replaces stderr as the destination.
///
/// ```
/// // Without CALLSTEER_LOG in the environment this installs nothing.
/// callsteer::logging::init_from_env();
/// ```
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
