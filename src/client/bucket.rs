//! Bucket-level calls: listing a bucket (ListObjectsV2, one page at a time,
//! continuation tokens followed) and asking whether an object exists
//! (HeadObject). Both are signed, retried and deadline-bound like the
//! processing calls, through the same request and send machinery.

use crate::encoding::percent_encode_into;
use crate::error::Error;
use crate::names::{check_bucket, check_key};
use crate::response::head::{ObjectMeta, parse_object_meta};
use crate::response::list::{ListObjectsPage, ObjectSummary, parse_list_page};

use super::Client;
use super::send::{header, read_body_up_to};

/// The largest listing page read: 1,000 entries of 1,023-byte keys, each
/// byte percent-encoded, fit in it with room to spare.
const MAX_LIST_BODY: u64 = 8 << 20;
/// The longest prefix, start-after or delimiter OSS takes, in bytes.
const MAX_PARAM_BYTES: usize = 1023;

impl Client {
    /// A listing of `bucket` (ListObjectsV2): configure it, then iterate
    /// over its entries (the [`IntoIterator`] impl) or its pages
    /// ([`ListObjects::pages`]). Pages are fetched one at a time as the
    /// iteration reaches them, so memory stays at one page however long
    /// the listing; `encoding-type=url` is requested and decoded, so any
    /// key comes back as it was written.
    ///
    /// ```no_run
    /// # fn demo(client: &oss_process::Client) -> Result<(), oss_process::Error> {
    /// let mut total = 0;
    /// for entry in client.list_objects("examplebucket").prefix("photos/2024/") {
    ///     total += entry?.size();
    /// }
    /// println!("{total} bytes under photos/2024/");
    /// # Ok(()) }
    /// ```
    ///
    /// Settings are checked when the iteration starts, before any request:
    /// a bad one is the first item, an [`Error::InvalidArgument`].
    pub fn list_objects(&self, bucket: impl Into<String>) -> ListObjects {
        ListObjects {
            client: self.clone(),
            bucket: bucket.into(),
            prefix: String::new(),
            start_after: None,
            delimiter: None,
            max_keys: 1000,
            continuation_token: None,
        }
    }

    /// The metadata of `bucket`/`key` (HeadObject): `Ok(None)` when the
    /// object does not exist (a 404 `NoSuchKey`), an error for anything else
    /// that fails, a missing bucket included.
    ///
    /// A HEAD answer has no body: OSS puts its error in the `x-oss-err`
    /// header, which is read like an error body.
    pub fn head_object(&self, bucket: &str, key: &str) -> Result<Option<ObjectMeta>, Error> {
        check_bucket(bucket)?;
        check_key(key)?;
        let prepared = self.prepare("HEAD", bucket, Some(key), String::new(), None, false);
        let answer = self.execute(&prepared, |_, request_id, response| {
            parse_object_meta(request_id, |name| header(&response, name))
        });
        match answer {
            Ok(meta) => Ok(Some(meta)),
            Err(e) if is_missing_object(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// One ListObjectsV2 page: `GET /<bucket>/?list-type=2&...`.
    fn list_page(&self, bucket: &str, query: String) -> Result<ListObjectsPage, Error> {
        let prepared = self.prepare("GET", bucket, None, query, None, false);
        let target = prepared.describe();
        let limit = self.inner.config.max_response_body.max(MAX_LIST_BODY);
        self.execute(&prepared, |_, request_id, mut response| {
            let body = read_body_up_to(&mut response, limit, request_id, &target)?;
            parse_list_page(request_id, &body)
        })
    }
}

/// Whether a HEAD failed because the object is not there: `NoSuchKey`, or a
/// 404 that came without the `x-oss-err` header to say more.
fn is_missing_object(e: &Error) -> bool {
    e.as_service()
        .is_some_and(|s| s.status == 404 && (s.code == "NoSuchKey" || s.code == "BadErrorResponse"))
}

/// A bucket listing (ListObjectsV2), from [`Client::list_objects`].
///
/// Iterating over it yields each object in key order; [`pages`](Self::pages)
/// yields whole pages, with the common prefixes a
/// [`delimiter`](Self::delimiter) rolls up. After an error the iteration
/// ends; [`ListObjectsPages::next_continuation_token`] says where to resume.
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until it is iterated"]
pub struct ListObjects {
    client: Client,
    bucket: String,
    prefix: String,
    start_after: Option<String>,
    delimiter: Option<String>,
    max_keys: u32,
    continuation_token: Option<String>,
}

impl ListObjects {
    /// Only keys that begin with `prefix` (default: every key).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Only keys after `key` in byte order (`start-after`); `key` need not
    /// exist.
    pub fn start_after(mut self, key: impl Into<String>) -> Self {
        self.start_after = Some(key.into());
        self
    }

    /// Rolls keys up to the first `delimiter` after the prefix into common
    /// prefixes (`/` lists one "folder" level), read with
    /// [`pages`](Self::pages).
    pub fn delimiter(mut self, delimiter: impl Into<String>) -> Self {
        self.delimiter = Some(delimiter.into());
        self
    }

    /// Entries per page (`max-keys`), 1 to 1000 (default 1000, the most OSS
    /// answers with, so the fewest requests).
    pub fn max_keys(mut self, max_keys: u32) -> Self {
        self.max_keys = max_keys;
        self
    }

    /// Resumes a listing where a page's
    /// [`next_continuation_token`](ListObjectsPage::next_continuation_token)
    /// left it (`start_after` is then ignored, as by OSS).
    pub fn continuation_token(mut self, token: impl Into<String>) -> Self {
        self.continuation_token = Some(token.into());
        self
    }

    /// The listing page by page.
    pub fn pages(self) -> ListObjectsPages {
        ListObjectsPages {
            token: self.continuation_token.clone(),
            list: self,
            started: false,
            done: false,
        }
    }

    /// Checks the settings, before any request.
    fn check(&self) -> Result<(), Error> {
        check_bucket(&self.bucket)?;
        if !(1..=1000).contains(&self.max_keys) {
            return Err(Error::invalid(
                "max_keys",
                format!("{} entries per page: must be 1 to 1000", self.max_keys),
            ));
        }
        for (name, value) in [
            ("prefix", Some(&self.prefix)),
            ("start_after", self.start_after.as_ref()),
            ("delimiter", self.delimiter.as_ref()),
            ("continuation_token", self.continuation_token.as_ref()),
        ] {
            if let Some(value) = value
                && value.len() > MAX_PARAM_BYTES
            {
                return Err(Error::invalid(
                    name,
                    format!("{} bytes: must be at most {MAX_PARAM_BYTES}", value.len()),
                ));
            }
        }
        if self.delimiter.as_deref() == Some("") {
            return Err(Error::invalid(
                "delimiter",
                "must not be empty: give a character such as \"/\", or no delimiter",
            ));
        }
        Ok(())
    }

    /// The wire query of a page, its parameters in sorted order.
    fn query(&self, token: Option<&str>) -> String {
        let mut query = String::with_capacity(96 + 3 * self.prefix.len());
        let mut param = |name: &str, value: &str| {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(name);
            query.push('=');
            percent_encode_into(&mut query, value, false);
        };
        if let Some(token) = token {
            param("continuation-token", token);
        }
        if let Some(delimiter) = &self.delimiter {
            param("delimiter", delimiter);
        }
        param("encoding-type", "url");
        param("list-type", "2");
        param("max-keys", &self.max_keys.to_string());
        if !self.prefix.is_empty() {
            param("prefix", &self.prefix);
        }
        if token.is_none()
            && let Some(start_after) = &self.start_after
        {
            param("start-after", start_after);
        }
        query
    }
}

impl IntoIterator for ListObjects {
    type Item = Result<ObjectSummary, Error>;
    type IntoIter = ListObjectsEntries;

    fn into_iter(self) -> ListObjectsEntries {
        ListObjectsEntries {
            pages: self.pages(),
            page: Vec::new().into_iter(),
        }
    }
}

/// The pages of a listing, fetched one per [`next`](Iterator::next): see
/// [`ListObjects::pages`].
#[derive(Debug)]
pub struct ListObjectsPages {
    list: ListObjects,
    token: Option<String>,
    started: bool,
    done: bool,
}

impl ListObjectsPages {
    /// The token the next page will be asked with: after an error, where to
    /// resume (with [`ListObjects::continuation_token`]); `None` before the
    /// first page and after the last.
    pub fn next_continuation_token(&self) -> Option<&str> {
        self.token.as_deref()
    }
}

impl Iterator for ListObjectsPages {
    type Item = Result<ListObjectsPage, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if !self.started {
            self.started = true;
            if let Err(e) = self.list.check() {
                self.done = true;
                return Some(Err(e));
            }
        }
        let query = self.list.query(self.token.as_deref());
        let page = match self.list.client.list_page(&self.list.bucket, query) {
            Ok(page) => page,
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        if !page.is_truncated() {
            self.done = true;
            self.token = None;
            return Some(Ok(page));
        }
        match page.next_continuation_token() {
            Some(next) if Some(next) != self.token.as_deref() => {
                self.token = Some(next.to_string());
                Some(Ok(page))
            }
            // A truncated page must say where the next one starts, and
            // somewhere new: anything else would list for ever.
            other => {
                self.done = true;
                Some(Err(Error::Decode {
                    message: match other {
                        Some(token) => format!(
                            "the listing of {} returned the continuation token it was given ({token:?}) on a truncated page",
                            self.list.bucket
                        ),
                        None => format!(
                            "the listing of {} is truncated but has no NextContinuationToken",
                            self.list.bucket
                        ),
                    },
                    request_id: Some(page.request_id().to_string()).filter(|id| !id.is_empty()),
                    source: None,
                }))
            }
        }
    }
}

/// The entries of a listing, a page at a time: see [`ListObjects`].
#[derive(Debug)]
pub struct ListObjectsEntries {
    pages: ListObjectsPages,
    page: std::vec::IntoIter<ObjectSummary>,
}

impl ListObjectsEntries {
    /// See [`ListObjectsPages::next_continuation_token`].
    pub fn next_continuation_token(&self) -> Option<&str> {
        self.pages.next_continuation_token()
    }
}

impl Iterator for ListObjectsEntries {
    type Item = Result<ObjectSummary, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(entry) = self.page.next() {
                return Some(Ok(entry));
            }
            match self.pages.next()? {
                Ok(page) => self.page = page.into_entries().into_iter(),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::tests::client;

    #[test]
    fn the_query_is_sorted_and_encoded() {
        let list = client()
            .list_objects("examplebucket")
            .prefix("a b/猫+")
            .delimiter("/")
            .start_after("a b/x")
            .max_keys(10);
        assert_eq!(
            list.query(None),
            "delimiter=%2F&encoding-type=url&list-type=2&max-keys=10&prefix=a%20b%2F%E7%8C%AB%2B&start-after=a%20b%2Fx"
        );
        assert_eq!(
            list.query(Some("t/1=")),
            "continuation-token=t%2F1%3D&delimiter=%2F&encoding-type=url&list-type=2&max-keys=10&prefix=a%20b%2F%E7%8C%AB%2B"
        );
        assert_eq!(
            client().list_objects("b1b").query(None),
            "encoding-type=url&list-type=2&max-keys=1000"
        );
    }

    #[test]
    fn bad_settings_are_the_first_item_and_no_request_is_made() {
        let c = client();
        for (list, name) in [
            (c.list_objects("examplebucket").max_keys(0), "max_keys"),
            (c.list_objects("examplebucket").max_keys(1001), "max_keys"),
            (c.list_objects("Bad_Bucket"), "bucket"),
            (c.list_objects("examplebucket").delimiter(""), "delimiter"),
            (
                c.list_objects("examplebucket").prefix("p".repeat(1024)),
                "prefix",
            ),
        ] {
            let mut pages = list.pages();
            match pages.next() {
                Some(Err(Error::InvalidArgument { name: n, message })) => {
                    assert_eq!(n, name, "{message}");
                }
                other => panic!("{name}: {other:?}"),
            }
            assert!(pages.next().is_none());
        }
    }
}
