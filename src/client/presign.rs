//! Presigned processing URLs: [`Client::presign_process`]'s signing, and
//! [`Client::presign_process_overriding`], which adds response overrides
//! (`response-content-type`, `response-content-disposition`) as signed
//! query parameters, the way a `doc/preview` page is served to a browser.
//!
//! # Previews need a custom domain
//!
//! On the default OSS domain (`*.aliyuncs.com`) the service makes browsers
//! download what they would display (it answers
//! `Content-Disposition: attachment`), so `doc/preview` and `doc/edit`
//! pages, and inline previews generally, need a custom domain (a CNAME
//! bound to the bucket): build the client for it with
//! `.endpoint("https://docs.example.com").address_style(AddressStyle::Cname)`.
//! Presigning `doc/preview` or `doc/edit` for an `aliyuncs.com` endpoint is
//! refused, saying so.

use std::time::{Duration, SystemTime};

use crate::error::Error;
use crate::names::{check_bucket, check_key};
use crate::process::{DocAction, Pipeline};
use crate::sign::{Presigned, SignableRequest, check_presign_expiry};

use super::Client;
use super::request::{check_process, process_query};
use super::route;

/// Response headers a presigned GET asks the service to answer with
/// (`response-content-type`, `response-content-disposition`), signed as
/// query parameters so they cannot be changed in the URL. For
/// [`Client::presign_process_overriding`].
///
/// ```
/// use oss_process::ResponseOverrides;
///
/// let page = ResponseOverrides::new()
///     .content_type("text/html")
///     .content_disposition("inline");
/// assert_eq!(page.content_type.as_deref(), Some("text/html"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ResponseOverrides {
    /// `response-content-type`: the `Content-Type` of the answer.
    pub content_type: Option<String>,
    /// `response-content-disposition`: the `Content-Disposition` of the
    /// answer, e.g. `inline` or `attachment; filename="a.pdf"`.
    pub content_disposition: Option<String>,
}

impl ResponseOverrides {
    /// No overrides.
    #[must_use]
    pub fn new() -> Self {
        ResponseOverrides::default()
    }

    /// Sets `response-content-type`.
    #[must_use]
    pub fn content_type(mut self, value: impl Into<String>) -> Self {
        self.content_type = Some(value.into());
        self
    }

    /// Sets `response-content-disposition`.
    #[must_use]
    pub fn content_disposition(mut self, value: impl Into<String>) -> Self {
        self.content_disposition = Some(value.into());
        self
    }

    /// The query parameters, in the order they are added.
    fn params(&self) -> Result<Vec<(&'static str, &str)>, Error> {
        let mut params = Vec::with_capacity(2);
        for (name, value) in [
            ("response-content-disposition", &self.content_disposition),
            ("response-content-type", &self.content_type),
        ] {
            let Some(value) = value else { continue };
            if value.trim().is_empty() {
                return Err(Error::invalid(name, "must not be empty"));
            }
            if let Some(c) = value.chars().find(|c| c.is_control()) {
                return Err(Error::invalid(
                    name,
                    format!(
                        "must not contain control characters (a header value), found U+{:04X}",
                        u32::from(c)
                    ),
                ));
            }
            params.push((name, value.as_str()));
        }
        Ok(params)
    }
}

impl Client {
    /// [`presign_process`](Self::presign_process) with response overrides:
    /// a presigned GET URL whose answer has the `Content-Type` and
    /// `Content-Disposition` given, signed as query parameters. No I/O.
    ///
    /// The recipe for a document preview in a browser (`doc/preview`; the
    /// bucket needs an IMM project, and the client a custom domain bound
    /// to the bucket, since the default domain makes browsers download):
    ///
    /// ```
    /// use std::time::Duration;
    /// use oss_process::process::{DocWatermark, Process, WebOffice};
    /// use oss_process::{AddressStyle, Client, Credentials, ResponseOverrides};
    ///
    /// let client = Client::builder()
    ///     .region("cn-hangzhou")
    ///     .endpoint("https://docs.example.com") // a CNAME bound to the bucket
    ///     .address_style(AddressStyle::Cname)
    ///     .credentials(Credentials::new("id", "secret"))
    ///     .build()?;
    /// let preview = Process::doc()
    ///     .preview(WebOffice::new().copy(false).watermark(DocWatermark::new("Internal")))
    ///     .build()?;
    /// let url = client.presign_process_overriding(
    ///     "examplebucket",
    ///     "report.docx",
    ///     &preview,
    ///     Duration::from_secs(3600),
    ///     &ResponseOverrides::new().content_type("text/html").content_disposition("inline"),
    /// )?;
    /// assert!(url.url().starts_with("https://docs.example.com/report.docx?x-oss-process=doc%2Fpreview%2Ccopy_0"));
    /// assert!(url.url().contains("&response-content-disposition=inline&response-content-type=text%2Fhtml&"));
    ///
    /// // On the default domain the page would download: refused, saying so.
    /// let default = Client::builder()
    ///     .region("cn-hangzhou")
    ///     .credentials(Credentials::new("id", "secret"))
    ///     .build()?;
    /// let err = default
    ///     .presign_process("examplebucket", "report.docx", &preview, Duration::from_secs(60))
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("needs a custom domain"), "{err}");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn presign_process_overriding(
        &self,
        bucket: &str,
        key: &str,
        process: impl AsRef<str>,
        expires: Duration,
        overrides: &ResponseOverrides,
    ) -> Result<Presigned, Error> {
        self.presign_get(
            bucket,
            key,
            process.as_ref(),
            Some(overrides),
            expires,
            self.now(),
        )
    }

    /// [`presign_process_overriding`](Self::presign_process_overriding)
    /// with a given signing time.
    pub fn presign_process_overriding_at(
        &self,
        bucket: &str,
        key: &str,
        process: impl AsRef<str>,
        expires: Duration,
        overrides: &ResponseOverrides,
        time: SystemTime,
    ) -> Result<Presigned, Error> {
        self.presign_get(
            bucket,
            key,
            process.as_ref(),
            Some(overrides),
            expires,
            time,
        )
    }

    /// Signs a processing GET in query form, every argument checked first.
    pub(super) fn presign_get(
        &self,
        bucket: &str,
        key: &str,
        process: &str,
        overrides: Option<&ResponseOverrides>,
        expires: Duration,
        time: SystemTime,
    ) -> Result<Presigned, Error> {
        check_bucket(bucket)?;
        check_key(key)?;
        check_process(process)?;
        let typed = route::for_get(process)?;
        if let Some(Pipeline::Doc(action @ (DocAction::Preview(_) | DocAction::Edit(_)))) =
            typed.as_ref().map(|p| p.pipeline())
            && is_default_domain(&self.endpoint())
        {
            return Err(Error::invalid(
                "endpoint",
                format!(
                    "doc/{} needs a custom domain: on the default OSS domain ({}) browsers download \
                     the page instead of showing it; build the client with \
                     .endpoint(\"https://<your domain>\").address_style(AddressStyle::Cname)",
                    action.name(),
                    self.endpoint()
                ),
            ));
        }
        let params = overrides.map(ResponseOverrides::params).transpose()?;
        check_presign_expiry(expires)?;
        let credentials = self.credentials()?;
        let mut query = process_query(process);
        for (name, value) in params.iter().flatten() {
            query.push('&');
            query.push_str(name);
            query.push('=');
            crate::encoding::percent_encode_into(&mut query, value, false);
        }
        let target = self.inner.config.target(bucket, key);
        let request = SignableRequest {
            method: "GET",
            bucket: Some(bucket),
            key: Some(key),
            query: &query,
            headers: &[],
            additional_headers: &[],
        };
        self.inner
            .signer
            .presign(&target.base, &request, &credentials, time, expires)
    }
}

/// Whether `endpoint` (`scheme://host[:port]`) is the default OSS domain,
/// `aliyuncs.com` or a name under it.
fn is_default_domain(endpoint: &str) -> bool {
    let authority = endpoint
        .split_once("://")
        .map_or(endpoint, |(_, rest)| rest);
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "aliyuncs.com" || host.ends_with(".aliyuncs.com")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_domains() {
        for (endpoint, default) in [
            ("https://oss-cn-hangzhou.aliyuncs.com", true),
            ("https://oss-cn-hangzhou-internal.aliyuncs.com:443", true),
            ("http://aliyuncs.com", true),
            ("https://docs.example.com", false),
            ("https://notaliyuncs.com", false),
            ("http://127.0.0.1:9000", false),
            ("http://[::1]:9000", false),
        ] {
            assert_eq!(is_default_domain(endpoint), default, "{endpoint}");
        }
    }

    #[test]
    fn overrides_are_header_values() {
        assert!(ResponseOverrides::new().params().unwrap().is_empty());
        let p = ResponseOverrides::new()
            .content_type("text/html")
            .content_disposition("inline");
        assert_eq!(
            p.params().unwrap(),
            [
                ("response-content-disposition", "inline"),
                ("response-content-type", "text/html")
            ]
        );
        let err = ResponseOverrides::new()
            .content_type("text/html\r\nX: y")
            .params()
            .unwrap_err();
        assert!(err.to_string().contains("response-content-type"), "{err}");
        assert!(
            ResponseOverrides::new()
                .content_disposition(" ")
                .params()
                .is_err()
        );
    }
}
