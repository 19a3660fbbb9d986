//! Client-side checks of bucket names, object keys and regions, run before
//! any I/O so that bad input gets an error naming the rule it broke.

use crate::error::Error;

/// The longest object key OSS accepts, in bytes of UTF-8.
pub(crate) const MAX_KEY_BYTES: usize = 1023;

/// Checks a bucket name: 3 to 63 characters of `a-z`, `0-9` and `-`, not
/// starting or ending with `-`.
pub(crate) fn check_bucket(name: &str) -> Result<(), Error> {
    check_bucket_as("bucket", name)
}

/// [`check_bucket`] reporting the value under another parameter name.
pub(crate) fn check_bucket_as(param: &str, name: &str) -> Result<(), Error> {
    let rule =
        "a bucket name is 3 to 63 characters of a-z, 0-9 and '-', not starting or ending with '-'";
    let len = name.chars().count();
    if !(3..=63).contains(&len) {
        return Err(Error::invalid(
            param,
            format!("{rule}; {name:?} has {len} characters"),
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(Error::invalid(
            param,
            format!("{rule}; {name:?} contains {c:?}"),
        ));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err(Error::invalid(
            param,
            format!("{rule}; {name:?} starts or ends with '-'"),
        ));
    }
    Ok(())
}

/// Checks an object key as OSS's rules have it: 1 to 1023 bytes of UTF-8,
/// not starting with `/` or `\\`, and (this crate's rule, since such a key
/// cannot be sent safely) no control characters (CR, LF, tab, NUL, ...).
pub(crate) fn check_key(key: &str) -> Result<(), Error> {
    check_key_as("key", key)
}

/// [`check_key`] reporting the value under another parameter name.
pub(crate) fn check_key_as(param: &str, key: &str) -> Result<(), Error> {
    if key.is_empty() {
        return Err(Error::invalid(param, "an object key must not be empty"));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(Error::invalid(
            param,
            format!(
                "an object key is at most {MAX_KEY_BYTES} bytes of UTF-8; this one has {}",
                key.len()
            ),
        ));
    }
    if key.starts_with(['/', '\\']) {
        return Err(Error::invalid(
            param,
            format!(
                "an object key must not start with '/' or '\\'; {:?} does (write it without the leading {:?})",
                crate::redact::truncate(key, 60),
                &key[..1]
            ),
        ));
    }
    if let Some((i, c)) = key.char_indices().find(|(_, c)| c.is_control()) {
        return Err(Error::invalid(
            param,
            format!("an object key must not contain control characters; found {c:?} at byte {i}"),
        ));
    }
    Ok(())
}

/// Checks a region id such as `cn-hangzhou`: `a-z`, `0-9` and `-`, not
/// starting or ending with `-`. The common mistake `oss-cn-hangzhou` (an
/// endpoint prefix, not a region) gets a hint.
pub(crate) fn check_region(region: &str) -> Result<(), Error> {
    let rule = "a region id is lower-case letters, digits and '-', e.g. cn-hangzhou";
    if region.is_empty() {
        return Err(Error::invalid(
            "region",
            format!("the region is empty; {rule}"),
        ));
    }
    if let Some(c) = region
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(Error::invalid(
            "region",
            format!("{region:?} contains {c:?}; {rule}"),
        ));
    }
    if region.starts_with('-') || region.ends_with('-') || region.contains("--") {
        return Err(Error::invalid(
            "region",
            format!("{region:?} is not a region id; {rule}"),
        ));
    }
    if let Some(rest) = region.strip_prefix("oss-") {
        return Err(Error::invalid(
            "region",
            format!(
                "{region:?} looks like an endpoint prefix; the region id is {rest:?} (write region(\"{rest}\"), and put a full endpoint in endpoint() if you need one)"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets() {
        for ok in ["abc", "my-bucket-01", &"a".repeat(63)] {
            assert!(check_bucket(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "ab",
            &"a".repeat(64),
            "Abc",
            "-abc",
            "abc-",
            "a_b",
            "a.b",
            "ab€",
        ] {
            let e = check_bucket(bad).unwrap_err();
            assert!(e.to_string().contains("3 to 63"), "{e}");
        }
    }

    #[test]
    fn keys() {
        assert!(check_key("a/b c+d/猫.jpg").is_ok());
        assert!(check_key(&"k".repeat(1023)).is_ok());
        assert!(
            check_key(&"k".repeat(1024))
                .unwrap_err()
                .to_string()
                .contains("1023")
        );
        assert!(check_key("").is_err());
        for leading in ["/photos/cat.jpg", "\\photos\\cat.jpg", "/"] {
            let e = check_key(leading).unwrap_err().to_string();
            assert!(e.contains("must not start with '/' or '\\'"), "{e}");
        }
        assert!(check_key("photos//cat.jpg").is_ok());
        assert!(
            check_key("a\nb")
                .unwrap_err()
                .to_string()
                .contains("control")
        );
    }

    #[test]
    fn regions() {
        assert!(check_region("cn-hangzhou").is_ok());
        assert!(check_region("ap-southeast-1").is_ok());
        let e = check_region("oss-cn-hangzhou").unwrap_err().to_string();
        assert!(e.contains("\"cn-hangzhou\""), "{e}");
        for bad in [
            "",
            "CN-hangzhou",
            "cn hangzhou",
            "cn/hangzhou",
            "cn.hangzhou",
            "-cn",
        ] {
            assert!(check_region(bad).is_err(), "{bad}");
        }
    }
}
