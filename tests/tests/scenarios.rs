//! Every shared scenario in tests/scenarios/ as its own test, through the Rust core against a
//! real emulator process.

use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let runtime = std::sync::Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("tokio runtime"),
    );
    let trials = callsteer_tests::scenario::scenario_files()
        .into_iter()
        .map(|path| {
            let name = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let runtime = runtime.clone();
            Trial::test(format!("scenario::{name}"), move || {
                runtime
                    .block_on(callsteer_tests::scenario::run_file(&path))
                    .map_err(Failed::from)
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
