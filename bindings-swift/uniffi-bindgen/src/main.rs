//! `cargo run -p uniffi-bindgen -- generate --library …`: the bindgen CLI at the library's uniffi version.

fn main() {
    uniffi::uniffi_bindgen_main()
}
