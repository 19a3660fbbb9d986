//! The V4 signing key (the HMAC-SHA256 chain from the secret through date,
//! region and product), its per-signer cache entry, and the signature.

use std::sync::{Arc, Mutex};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

pub(super) type HmacSha256 = Hmac<Sha256>;

/// A derived key, kept for as long as the secret and the date stay.
#[derive(Clone)]
pub(super) struct CachedKey {
    secret: Arc<str>,
    date: [u8; 8],
    pub(super) key: [u8; 32],
    /// An HMAC already keyed with `key`: a clone of it signs without hashing
    /// the key blocks again.
    pub(super) mac: HmacSha256,
}

/// The last key a signer derived (it changes only with the secret and the
/// UTC date).
#[derive(Default)]
pub(super) struct KeyCache(Mutex<Option<CachedKey>>);

impl KeyCache {
    /// Reads the key for `secret` and `date`, deriving and keeping it when
    /// the cached one is for another secret or date.
    pub(super) fn get<T>(
        &self,
        secret: &str,
        date: &str,
        region: &str,
        product: &str,
        read: impl FnOnce(&CachedKey) -> T,
    ) -> T {
        let Ok(date_bytes) = <[u8; 8]>::try_from(date.as_bytes()) else {
            return read(&CachedKey::derive(secret, date, region, product));
        };
        let mut cache = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.as_ref()
            && c.date == date_bytes
            && &*c.secret == secret
        {
            return read(c);
        }
        let fresh = CachedKey::derive(secret, date, region, product);
        let value = read(&fresh);
        *cache = Some(fresh);
        value
    }
}

impl CachedKey {
    pub(super) fn derive(secret: &str, date: &str, region: &str, product: &str) -> Self {
        let key = signing_key(secret, date, region, product);
        CachedKey {
            secret: Arc::from(secret),
            date: date.as_bytes().try_into().unwrap_or_default(),
            key,
            mac: <HmacSha256 as KeyInit>::new_from_slice(&key)
                .expect("HMAC takes keys of any length"),
        }
    }
}

pub(super) fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac =
        <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The derived key: HMAC chain `"aliyun_v4" + secret` → date → region →
/// product → `aliyun_v4_request`.
pub fn signing_key(secret: &str, date: &str, region: &str, product: &str) -> [u8; 32] {
    let mut first = Vec::with_capacity(9 + secret.len());
    first.extend_from_slice(b"aliyun_v4");
    first.extend_from_slice(secret.as_bytes());
    let k1 = hmac(&first, date.as_bytes());
    let k2 = hmac(&k1, region.as_bytes());
    let k3 = hmac(&k2, product.as_bytes());
    hmac(&k3, b"aliyun_v4_request")
}

/// Lower-case hex HMAC-SHA256 of the string to sign.
pub fn signature(signing_key: &[u8; 32], string_to_sign: &str) -> String {
    let mac = hmac(signing_key, string_to_sign.as_bytes());
    let mut s = String::with_capacity(64);
    push_hex(&mut s, &mac);
    s
}

/// Appends the signature: `keyed` is an HMAC keyed with the signing key.
pub(super) fn push_signature(out: &mut String, mut keyed: HmacSha256, string_to_sign: &str) {
    keyed.update(string_to_sign.as_bytes());
    push_hex(out, &keyed.finalize().into_bytes());
}

pub(super) fn push_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 0xF) as usize] as char);
    }
}
