//! Routing: takes a request apart the way OSS does and names the operation
//! it asks for. The address comes from the Host header and path
//! (virtual-hosted `bucket.endpoint/key` or path-style `/bucket/key`), the
//! sub-resources from the query (`x-oss-process`, `x-oss-async-process`,
//! and the APIs this emulator does not implement), and the method picks the
//! [`Operation`]. Nothing here touches the store or checks a signature.

use std::net::IpAddr;

use crate::encoding::percent_decode;

use super::errors::OssError;
use super::store::Store;

/// Sub-resources of OSS APIs this emulator does not implement: a request
/// naming one is refused rather than served as a plain object request.
const UNIMPLEMENTED_SUBRESOURCES: &[&str] = &[
    "acl",
    "append",
    "bucketInfo",
    "cors",
    "delete",
    "encryption",
    "inventory",
    "lifecycle",
    "location",
    "logging",
    "objectMeta",
    "partNumber",
    "policy",
    "referer",
    "replication",
    "restore",
    "select",
    "stat",
    "symlink",
    "tagging",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "website",
    "worm",
];

/// Where a request points and what its query asks for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Route {
    /// The bucket, if the address names one.
    pub bucket: Option<String>,
    /// The object key (decoded), if the address names one.
    pub key: Option<String>,
    /// The decoded `x-oss-process` value, if present.
    process: Option<String>,
    /// Whether `x-oss-async-process` is present.
    async_process: bool,
    /// Whether the `style` sub-resource is present (the bucket's styles).
    style: bool,
    /// Whether `list-type=2` is present (ListObjectsV2).
    list_v2: bool,
    /// The first sub-resource of an API this emulator does not implement.
    unimplemented: Option<String>,
}

/// What a request asks the emulator to do, once routed and checked.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Operation<'a> {
    /// `PUT /bucket`: create the bucket.
    PutBucket { bucket: &'a str },
    /// `GET /bucket/?list-type=2`: list the bucket (`listing.rs`).
    ListObjectsV2 { bucket: &'a str },
    /// `GET` or `HEAD` of an object.
    GetObject { bucket: &'a str, key: &'a str },
    /// `PUT` of an object.
    PutObject { bucket: &'a str, key: &'a str },
    /// `DELETE` of an object.
    DeleteObject { bucket: &'a str, key: &'a str },
    /// `GET ?x-oss-process=...`: the processed bytes.
    GetProcess {
        bucket: &'a str,
        key: &'a str,
        process: &'a str,
    },
    /// `POST ?x-oss-process` with the process in the body.
    PostProcess { bucket: &'a str, key: &'a str },
    /// `POST ?x-oss-async-process` with the process in the body.
    AsyncProcess { bucket: &'a str, key: &'a str },
    /// `GET`, `PUT`, `DELETE /?style[&styleName=...]`: the bucket's styles.
    Style { bucket: &'a str },
}

impl Route {
    /// Routes a request by its Host header, raw path and raw query.
    pub fn new(host: &str, raw_path: &str, raw_query: &str) -> Result<Route, OssError> {
        let (bucket, key) = resolve(host, raw_path)?;
        let mut route = Route {
            bucket,
            key,
            process: None,
            async_process: false,
            style: false,
            list_v2: false,
            unimplemented: None,
        };
        for (raw_name, raw_value) in query_params(raw_query) {
            let name = percent_decode(raw_name).unwrap_or_else(|| raw_name.to_string());
            match name.as_str() {
                "x-oss-process" => {
                    let value =
                        percent_decode(&raw_value.replace('+', "%20")).ok_or_else(|| {
                            OssError::invalid_argument(
                                "x-oss-process is not valid percent-encoded UTF-8.",
                            )
                        })?;
                    route.process = Some(value);
                }
                "x-oss-async-process" => route.async_process = true,
                "style" => route.style = true,
                "list-type" => route.list_v2 = raw_value == "2",
                n if UNIMPLEMENTED_SUBRESOURCES.contains(&n) => route.unimplemented = Some(name),
                _ => {}
            }
        }
        Ok(route)
    }

    /// Whether `method` on this route creates its bucket (so the bucket
    /// need not exist yet).
    pub fn creates_bucket(&self, method: &str) -> bool {
        method == "PUT"
            && self.bucket.is_some()
            && self.key.is_none()
            && self.process.is_none()
            && !self.style
    }

    /// The operation `method` asks for on this route, or the error OSS (or
    /// this emulator, for what it does not implement) answers.
    pub fn operation(&self, method: &str) -> Result<Operation<'_>, OssError> {
        if let Some(name) = &self.unimplemented {
            return Err(not_implemented(&format!("the ?{name} sub-resource")));
        }
        let Some(bucket) = self.bucket.as_deref() else {
            return Err(not_implemented("service-level requests (ListBuckets)"));
        };
        if self.style {
            return match (&self.key, method) {
                (None, "GET" | "PUT" | "DELETE") => Ok(Operation::Style { bucket }),
                (None, _) => Err(OssError::method_not_allowed(method, "Bucket")),
                (Some(_), _) => Err(not_implemented("the ?style sub-resource on an object")),
            };
        }
        let Some(key) = self.key.as_deref() else {
            return match method {
                "PUT" => Ok(Operation::PutBucket { bucket }),
                "GET" if self.list_v2 && self.process.is_none() => {
                    Ok(Operation::ListObjectsV2 { bucket })
                }
                "GET" | "HEAD" | "DELETE" | "POST" => Err(not_implemented(
                    "bucket-level requests other than PutBucket",
                )),
                _ => Err(OssError::method_not_allowed(method, "Bucket")),
            };
        };
        match (method, self.process.as_deref(), self.async_process) {
            ("POST", _, true) => Ok(Operation::AsyncProcess { bucket, key }),
            ("POST", Some(_), false) => Ok(Operation::PostProcess { bucket, key }),
            ("GET", Some(process), false) => Ok(Operation::GetProcess {
                bucket,
                key,
                process,
            }),
            (_, Some(_), _) | (_, _, true) => Err(OssError::method_not_allowed(method, "Object")),
            ("GET" | "HEAD", None, false) => Ok(Operation::GetObject { bucket, key }),
            ("PUT", None, false) => Ok(Operation::PutObject { bucket, key }),
            ("DELETE", None, false) => Ok(Operation::DeleteObject { bucket, key }),
            _ => Err(OssError::method_not_allowed(method, "Object")),
        }
    }
}

fn not_implemented(what: &str) -> OssError {
    OssError::new(
        501,
        "NotImplemented",
        "0016-00000007",
        format!("This emulator does not implement {what}."),
    )
}

/// Splits the Host header and path into bucket and key. An IP address or
/// `localhost` means path-style (`/bucket/key`); so does a service endpoint
/// (`oss-<region>.aliyuncs.com`, `<region>.oss.aliyuncs.com`) or a host of
/// one or two labels. Otherwise the first label is the bucket
/// (`bucket.oss-cn-hangzhou.aliyuncs.com`, `bucket.localhost`).
fn resolve(host: &str, raw_path: &str) -> Result<(Option<String>, Option<String>), OssError> {
    let path = percent_decode(raw_path).ok_or_else(|| {
        OssError::invalid_argument("The request path is not valid percent-encoded UTF-8.")
    })?;
    let path = path.strip_prefix('/').unwrap_or(&path);
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    if let Some(bucket) = bucket_from_host(host) {
        return Ok((Some(bucket), non_empty(path)));
    }
    let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
    Ok((non_empty(bucket), non_empty(key)))
}

fn bucket_from_host(host: &str) -> Option<String> {
    let host = host.trim().to_ascii_lowercase();
    let name = if host.starts_with('[') {
        return None; // an IPv6 literal
    } else {
        host.rsplit_once(':').map_or(host.as_str(), |(h, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                h
            } else {
                host.as_str()
            }
        })
    };
    if name.is_empty() || name == "localhost" || name.parse::<IpAddr>().is_ok() {
        return None;
    }
    let labels: Vec<&str> = name.split('.').collect();
    let first = labels[0];
    let is_endpoint = first == "oss" || first.starts_with("oss-") || labels.get(1) == Some(&"oss");
    let enough = labels.len() >= 3 || (labels.len() == 2 && labels[1] == "localhost");
    (enough && !is_endpoint && Store::check_bucket_name(first).is_ok()).then(|| first.to_string())
}

/// The raw `name`/`value` pairs of a wire query (nothing decoded).
pub(crate) fn query_params(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|item| item.split_once('=').unwrap_or((item, "")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routed(host: &str, path: &str) -> (Option<String>, Option<String>) {
        let route = Route::new(host, path, "").unwrap();
        (route.bucket, route.key)
    }

    #[test]
    fn resolves_virtual_hosted_and_path_style_addresses() {
        let some = |s: &str| Some(s.to_string());
        let cases = [
            (
                "examplebucket.oss-cn-hangzhou.aliyuncs.com",
                "/a/b%20c.jpg",
                (some("examplebucket"), some("a/b c.jpg")),
            ),
            (
                "examplebucket.oss-cn-hangzhou.aliyuncs.com:443",
                "/",
                (some("examplebucket"), None),
            ),
            (
                "oss-cn-hangzhou.aliyuncs.com",
                "/b1/k",
                (some("b1"), some("k")),
            ),
            (
                "bk1.cn-hangzhou.oss.aliyuncs.com",
                "/k",
                (some("bk1"), some("k")),
            ),
            (
                "cn-hangzhou.oss.aliyuncs.com",
                "/b1/k",
                (some("b1"), some("k")),
            ),
            (
                "127.0.0.1:9000",
                "/src-bucket/%E7%9B%B8%E5%86%8C/x.jpg",
                (some("src-bucket"), some("相册/x.jpg")),
            ),
            ("localhost:9000", "/b1/", (some("b1"), None)),
            ("bk1.localhost:9000", "/k", (some("bk1"), some("k"))),
            ("[::1]:9000", "/b1/k", (some("b1"), some("k"))),
            ("127.0.0.1", "/", (None, None)),
            ("my_host.example.com", "/b1/k", (some("b1"), some("k"))),
        ];
        for (host, path, expected) in cases {
            assert_eq!(routed(host, path), expected, "{host} {path}");
        }
        assert!(Route::new("h", "/%FF", "").is_err());
    }

    #[test]
    fn the_method_and_sub_resources_pick_the_operation() {
        let route = |query: &str| Route::new("127.0.0.1", "/b1/k.jpg", query).unwrap();
        let (bucket, key) = ("b1", "k.jpg");
        assert_eq!(
            route("").operation("HEAD"),
            Ok(Operation::GetObject { bucket, key })
        );
        assert_eq!(
            route("x-oss-process=image%2Fresize%2Cw_1").operation("GET"),
            Ok(Operation::GetProcess {
                bucket,
                key,
                process: "image/resize,w_1"
            })
        );
        assert_eq!(
            route("x-oss-process").operation("POST"),
            Ok(Operation::PostProcess { bucket, key })
        );
        assert_eq!(
            route("x-oss-async-process").operation("POST"),
            Ok(Operation::AsyncProcess { bucket, key })
        );
        for (query, method, code) in [
            ("x-oss-process", "PUT", "MethodNotAllowed"),
            ("x-oss-async-process", "GET", "MethodNotAllowed"),
            ("acl", "GET", "NotImplemented"),
            ("", "PATCH", "MethodNotAllowed"),
        ] {
            assert_eq!(
                route(query).operation(method).unwrap_err().code,
                code,
                "{method} ?{query}"
            );
        }
        let bucket_only = Route::new("127.0.0.1", "/b1", "").unwrap();
        assert!(bucket_only.creates_bucket("PUT"));
        assert_eq!(
            bucket_only.operation("GET").unwrap_err().code,
            "NotImplemented"
        );
        let listing = Route::new("127.0.0.1", "/b1/", "list-type=2&prefix=a").unwrap();
        assert_eq!(
            listing.operation("GET"),
            Ok(Operation::ListObjectsV2 { bucket: "b1" })
        );
        assert_eq!(
            listing.operation("POST").unwrap_err().code,
            "NotImplemented"
        );
        assert_eq!(
            bucket_only.operation("PUT"),
            Ok(Operation::PutBucket { bucket: "b1" })
        );
    }
}
