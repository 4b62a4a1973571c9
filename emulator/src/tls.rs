//! `--tls`: a throw-away CA and a server certificate for 127.0.0.1 / localhost.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

pub struct TlsMaterial {
    pub acceptor: tokio_rustls::TlsAcceptor,
    /// Where the CA certificate (PEM) was written; clients add it to their trust store.
    pub ca_pem_path: PathBuf,
}

/// Generates a CA and a leaf certificate signed by it, writes the CA PEM (plus the leaf, so
/// either can be trusted) to `out` (default: temp dir) and builds the TLS acceptor.
pub fn generate(out: Option<&Path>) -> Result<TlsMaterial, String> {
    fn err(what: &'static str) -> impl Fn(rcgen::Error) -> String {
        move |e| format!("TLS certificate generation ({what}): {e}")
    }
    let ca_key = KeyPair::generate().map_err(err("CA key"))?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err("CA params"))?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "callsteer-emulator local CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(err("CA cert"))?;
    let issuer = Issuer::new(ca_params, ca_key);

    let leaf_key = KeyPair::generate().map_err(err("server key"))?;
    let mut leaf_params =
        CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .map_err(err("server params"))?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "callsteer-emulator");
    let leaf_cert = leaf_params
        .signed_by(&leaf_key, &issuer)
        .map_err(err("server cert"))?;

    let path = out.map(Path::to_path_buf).unwrap_or_else(|| {
        std::env::temp_dir().join(format!("callsteer-emulator-ca-{}.pem", std::process::id()))
    });
    std::fs::write(&path, format!("{}{}", ca_cert.pem(), leaf_cert.pem()))
        .map_err(|e| format!("cannot write the TLS CA PEM to {}: {e}", path.display()))?;

    let chain = vec![
        CertificateDer::from(leaf_cert.der().to_vec()),
        CertificateDer::from(ca_cert.der().to_vec()),
    ];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS config: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("TLS config: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsMaterial {
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        ca_pem_path: path,
    })
}
