//! Bucket styles on the client: [`Client::put_style`],
//! [`Client::get_style`], [`Client::list_styles`] and
//! [`Client::delete_style`] (`PUT`, `GET`, `DELETE /?style&styleName=<name>`
//! and `GET /?style`), signed, retried and bounded like every call. A style
//! is then used as `style/<name>` (the only way in once source-image
//! protection is on).

use crate::error::Error;
use crate::names::check_bucket;
use crate::process::{check_process_string, check_style_name};
use crate::response::style::{Style, StyleCategory, parse_styles, put_style_body};

use super::Client;
use super::request::Prepared;

impl Client {
    /// Stores `content` (a process string, e.g. `image/resize,p_50`) in
    /// `bucket` as the style `name`, of `category` (the service's default,
    /// `image`, when `None`); an existing style of that name is replaced.
    /// The name (1 to 63 letters, digits, `_`, `-`, `.`) and the content are
    /// checked before any I/O. A bucket holds at most 50 styles.
    ///
    /// ```no_run
    /// # fn demo(client: &oss_process::Client) -> Result<(), oss_process::Error> {
    /// use oss_process::StyleCategory;
    ///
    /// client.put_style("examplebucket", "thumb", "image/resize,m_lfit,w_256,h_256", Some(StyleCategory::Image))?;
    /// let thumb = client.get_processed("examplebucket", "cat.jpg", "style/thumb")?;
    /// # let _ = thumb; Ok(()) }
    /// ```
    pub fn put_style(
        &self,
        bucket: &str,
        name: &str,
        content: impl AsRef<str>,
        category: Option<StyleCategory>,
    ) -> Result<(), Error> {
        let content = content.as_ref();
        check_process_string(content).map_err(|e| rename(e, "style content"))?;
        let mut query = style_query(bucket, name)?;
        if let Some(category) = category {
            query.push_str("&category=");
            query.push_str(category.as_str());
        }
        let mut prepared = self.prepare(
            "PUT",
            bucket,
            None,
            query,
            Some(put_style_body(content)),
            false,
        );
        prepared.content_type = Some("application/xml");
        self.execute(&prepared, |_, _, _| Ok(()))
    }

    /// The style `name` of `bucket`; a missing one is
    /// [`KnownError::NoSuchStyle`](crate::KnownError::NoSuchStyle).
    pub fn get_style(&self, bucket: &str, name: &str) -> Result<Style, Error> {
        let prepared = self.prepare("GET", bucket, None, style_query(bucket, name)?, None, false);
        let styles = self.read_styles(&prepared)?;
        styles.into_iter().next().ok_or_else(|| Error::Decode {
            message: format!("the answer to {} holds no style", prepared.describe()),
            request_id: None,
            source: None,
        })
    }

    /// Every style of `bucket` (the service does not page them).
    ///
    /// ```no_run
    /// # fn demo(client: &oss_process::Client) -> Result<(), oss_process::Error> {
    /// for style in client.list_styles("examplebucket")? {
    ///     println!("style/{}: {}", style.name(), style.content());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_styles(&self, bucket: &str) -> Result<Vec<Style>, Error> {
        check_bucket(bucket)?;
        let prepared = self.prepare("GET", bucket, None, "style".into(), None, false);
        self.read_styles(&prepared)
    }

    /// Deletes the style `name` of `bucket`.
    pub fn delete_style(&self, bucket: &str, name: &str) -> Result<(), Error> {
        let prepared = self.prepare(
            "DELETE",
            bucket,
            None,
            style_query(bucket, name)?,
            None,
            false,
        );
        self.execute(&prepared, |_, _, _| Ok(()))
    }

    fn read_styles(&self, prepared: &Prepared<'_>) -> Result<Vec<Style>, Error> {
        let target = prepared.describe();
        self.execute(prepared, |_, request_id, mut response| {
            let body = self.read_capped(&mut response, request_id, &target)?;
            parse_styles(request_id, &body)
        })
    }
}

/// `style&styleName=<name>`, bucket and name checked.
fn style_query(bucket: &str, name: &str) -> Result<String, Error> {
    check_bucket(bucket)?;
    check_style_name(name)?;
    // The name's characters need no encoding.
    Ok(format!("style&styleName={name}"))
}

/// The same error, reported under another name.
fn rename(error: Error, name: &str) -> Error {
    match error {
        Error::InvalidArgument { message, .. } => Error::invalid(name, message),
        other => other,
    }
}
