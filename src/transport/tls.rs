//! Which certificates a TLS connection trusts: the bundled Mozilla roots
//! (webpki-roots, the default), those plus root certificates the user gives
//! in PEM (a corporate CA, an intercepting proxy's CA), or the operating
//! system's verifier (cargo feature `platform-verifier`).
//!
//! `ureq` takes either its bundled roots or a list of root certificates, not
//! both; to add roots to the bundled ones, the bundled trust anchors are
//! written back as minimal certificates (subject, key and name constraints:
//! everything a trust anchor is made of) and given together with the
//! user's.

use std::sync::{Arc, OnceLock};

use rustls::pki_types::{CertificateDer, TrustAnchor};
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

use crate::error::Error;

/// The roots an agent trusts.
#[derive(Clone, Debug, Default)]
pub(crate) enum Roots {
    /// The bundled Mozilla roots.
    #[default]
    Bundled,
    /// The bundled roots and these.
    BundledAnd(Arc<Vec<Certificate<'static>>>),
    /// The operating system's verifier and trust store.
    #[cfg(feature = "platform-verifier")]
    Platform,
}

impl Roots {
    /// The `ureq` TLS settings for these roots.
    pub(crate) fn tls_config(&self) -> TlsConfig {
        let roots = match self {
            Roots::Bundled => RootCerts::WebPki,
            Roots::BundledAnd(extra) => {
                let mut all = bundled_certificates().clone();
                all.extend(extra.iter().cloned());
                RootCerts::from(all)
            }
            #[cfg(feature = "platform-verifier")]
            Roots::Platform => RootCerts::PlatformVerifier,
        };
        TlsConfig::builder().root_certs(roots).build()
    }
}

impl Roots {
    /// The bundled roots, and the root certificates in these PEM texts
    /// (none: the bundled roots alone). Fails as
    /// [`parse_root_certificates`] does.
    pub(crate) fn bundled_and(pems: &[Vec<u8>]) -> Result<Roots, Error> {
        let mut extra = Vec::new();
        for pem in pems {
            extra.extend(parse_root_certificates(pem)?);
        }
        Ok(if extra.is_empty() {
            Roots::Bundled
        } else {
            Roots::BundledAnd(Arc::new(extra))
        })
    }
}

/// Parses root certificates in PEM (`-----BEGIN CERTIFICATE-----` blocks;
/// other blocks are skipped). Fails, naming the problem, when the text holds
/// no certificate, a block is malformed, or a certificate cannot serve as a
/// root (not X.509).
pub(crate) fn parse_root_certificates(pem: &[u8]) -> Result<Vec<Certificate<'static>>, Error> {
    const NAME: &str = "root_certificates";
    let mut certificates = Vec::new();
    for (index, item) in ureq::tls::parse_pem(pem).enumerate() {
        match item {
            Ok(PemItem::Certificate(c)) => certificates.push(c),
            Ok(_) => {
                return Err(Error::invalid(
                    NAME,
                    format!(
                        "PEM block {} is a private key, not a certificate: give the CA's certificate only",
                        index + 1
                    ),
                ));
            }
            Err(e) => {
                return Err(Error::invalid(
                    NAME,
                    format!("PEM block {} is malformed: {e}", index + 1),
                ));
            }
        }
    }
    if certificates.is_empty() {
        return Err(Error::invalid(
            NAME,
            "the text holds no -----BEGIN CERTIFICATE----- block",
        ));
    }
    for (index, certificate) in certificates.iter().enumerate() {
        let mut store = rustls::RootCertStore::empty();
        let (_, ignored) =
            store.add_parsable_certificates([CertificateDer::from(certificate.der().to_vec())]);
        if ignored > 0 {
            return Err(Error::invalid(
                NAME,
                format!(
                    "certificate {} is not an X.509 certificate that can serve as a root",
                    index + 1
                ),
            ));
        }
    }
    Ok(certificates)
}

/// The bundled trust anchors as certificates, made once.
fn bundled_certificates() -> &'static Vec<Certificate<'static>> {
    static BUNDLED: OnceLock<Vec<Certificate<'static>>> = OnceLock::new();
    BUNDLED.get_or_init(|| {
        webpki_roots::TLS_SERVER_ROOTS
            .iter()
            .map(|anchor| Certificate::from_der(&anchor_certificate(anchor)).to_owned())
            .collect()
    })
}

/// A minimal DER certificate carrying a trust anchor: version 3, serial 1,
/// issuer and subject the anchor's name, its public key, its name
/// constraints (when it has some) as the one extension. The signature is
/// empty: a root is trusted as configured, never checked against itself.
fn anchor_certificate(anchor: &TrustAnchor<'_>) -> Vec<u8> {
    // sha256WithRSAEncryption with NULL parameters; any algorithm would do.
    const ALGORITHM: &[u8] = &[
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00,
    ];
    const NAME_CONSTRAINTS_OID: &[u8] = &[0x06, 0x03, 0x55, 0x1d, 0x1e];
    let name = der(0x30, &anchor.subject);
    let validity = der(
        0x30,
        &[der(0x17, b"000101000000Z"), der(0x17, b"491231235959Z")].concat(),
    );
    let mut tbs = der(0xa0, &der(0x02, &[2]));
    tbs.extend(der(0x02, &[1]));
    tbs.extend_from_slice(ALGORITHM);
    tbs.extend(&name);
    tbs.extend(validity);
    tbs.extend(&name);
    tbs.extend(der(0x30, &anchor.subject_public_key_info));
    if let Some(constraints) = &anchor.name_constraints {
        let extension = der(
            0x30,
            &[
                NAME_CONSTRAINTS_OID.to_vec(),
                der(0x04, &der(0x30, constraints)),
            ]
            .concat(),
        );
        tbs.extend(der(0xa3, &der(0x30, &extension)));
    }
    der(
        0x30,
        &[der(0x30, &tbs), ALGORITHM.to_vec(), der(0x03, &[0])].concat(),
    )
}

/// One DER element: tag, definite length, content.
fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 4);
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_anchor_survives_the_round_trip() {
        let mut store = rustls::RootCertStore::empty();
        let (added, ignored) = store.add_parsable_certificates(
            bundled_certificates()
                .iter()
                .map(|c| CertificateDer::from(c.der().to_vec())),
        );
        assert_eq!(ignored, 0);
        assert_eq!(added, webpki_roots::TLS_SERVER_ROOTS.len());
        assert_eq!(store.roots, webpki_roots::TLS_SERVER_ROOTS);
        assert!(
            webpki_roots::TLS_SERVER_ROOTS
                .iter()
                .any(|a| a.name_constraints.is_some()),
            "the round trip should cover name constraints"
        );
    }

    #[test]
    fn der_lengths() {
        assert_eq!(der(0x04, &[1, 2]), vec![0x04, 2, 1, 2]);
        let long = der(0x04, &[0; 300]);
        assert_eq!(&long[..4], &[0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(long.len(), 304);
        assert_eq!(&der(0x04, &[0; 200])[..3], &[0x04, 0x81, 200]);
    }

    #[test]
    fn pem_problems_are_named() {
        let e = parse_root_certificates(b"not pem").unwrap_err().to_string();
        assert!(e.contains("no -----BEGIN CERTIFICATE-----"), "{e}");
        let garbage = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        let e = parse_root_certificates(garbage).unwrap_err().to_string();
        assert!(e.contains("certificate 1 is not an X.509"), "{e}");
    }
}
