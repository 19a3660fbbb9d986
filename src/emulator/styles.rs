//! Bucket styles in the emulator: PutStyle, GetStyle, ListStyle and
//! DeleteStyle (`PUT`, `GET`, `DELETE /?style&styleName=<name>`,
//! `GET /?style`), answered as the Go and Python SDK V2 read them, and the
//! resolution of `style/<name>` (optionally followed by `|sys/saveas...`)
//! to the style's process before the process is performed.
//!
//! Styles are kept per bucket in `<root>/<bucket>/.~oss-emu.styles.json`,
//! so they survive a restart on the same root. No object key can name that
//! file: the store keeps any key segment that begins with `.~oss-emu.`
//! under a hashed name.
//!
//! Checks, as OSS documents them: a name is 1 to 63 letters, digits, `_`,
//! `-`, `.` (`InvalidArgument`, EC `0017-00000250` for the length,
//! `0017-00000251` for the characters); a category is `image`, `document`
//! or `video` (default `image`); a bucket holds at most 50 styles; a
//! missing style is 404 `NoSuchStyle`. The content must be a process the
//! crate's parser reads, with no `sys/` part and no `style/` of its own
//! (the emulator's rule: a style is the processing, the save is added
//! where it is used). Deleting a style that does not exist answers 204,
//! as deleting an object does (the service's answer is not documented).

use std::borrow::Cow;
use std::fs;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value, json};

use crate::encoding::percent_decode;
use crate::process::{Process, check_style_name};
use crate::response::style::parse_styles;
use crate::time::Timestamp;

use super::errors::{OssError, element};
use super::router::query_params;
use super::server::Response;
use super::store::{RESERVED_PREFIX, Store, write_whole};

/// The most styles a bucket holds.
pub(crate) const MAX_STYLES: usize = 50;
/// The categories PutStyle takes.
const CATEGORIES: [&str; 3] = ["image", "document", "video"];

/// One read-modify-write of a styles file at a time.
static LOCK: Mutex<()> = Mutex::new(());

/// A stored style.
#[derive(Debug, Clone)]
struct Stored {
    name: String,
    content: String,
    category: String,
    created: u64,
    modified: u64,
}

impl Stored {
    fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "content": self.content,
            "category": self.category,
            "created": self.created,
            "modified": self.modified,
        })
    }

    fn from_json(value: &Value) -> Option<Stored> {
        let text = |name: &str| value.get(name)?.as_str().map(str::to_string);
        Some(Stored {
            name: text("name")?,
            content: text("content")?,
            category: text("category")?,
            created: value.get("created")?.as_u64()?,
            modified: value.get("modified")?.as_u64()?,
        })
    }

    fn xml(&self, out: &mut String) {
        let time = |secs: u64| {
            Timestamp::new(SystemTime::UNIX_EPOCH + Duration::from_secs(secs)).http_date()
        };
        out.push_str("<Style>\n");
        element(out, "Name", &self.name);
        element(out, "Content", &self.content);
        element(out, "Category", &self.category);
        element(out, "CreateTime", &time(self.created));
        element(out, "LastModifyTime", &time(self.modified));
        out.push_str("</Style>\n");
    }
}

/// Answers a `?style` request on `bucket` (whose existence and signature
/// are checked already).
pub(crate) fn handle(
    store: &Store,
    method: &str,
    bucket: &str,
    query: &str,
    body: &[u8],
    now: SystemTime,
) -> Result<Response, OssError> {
    let mut name = None;
    let mut category = None;
    for (raw_name, raw_value) in query_params(query) {
        let decode = |raw: &str| percent_decode(&raw.replace('+', "%20")).unwrap_or_default();
        match decode(raw_name).as_str() {
            "styleName" => name = Some(decode(raw_value)),
            "category" => category = Some(decode(raw_value)),
            _ => {}
        }
    }
    let _guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    match (method, name) {
        ("GET", None) => {
            let mut out = xml_head();
            out.push_str("<StyleList>\n");
            for style in load(store, bucket)? {
                style.xml(&mut out);
            }
            out.push_str("</StyleList>\n");
            Ok(xml_answer(out))
        }
        ("GET", Some(name)) => {
            check_name(&name)?;
            let style = load(store, bucket)?
                .into_iter()
                .find(|s| s.name == name)
                .ok_or_else(|| no_such_style(&name))?;
            let mut out = xml_head();
            style.xml(&mut out);
            Ok(xml_answer(out))
        }
        ("PUT", Some(name)) => {
            check_name(&name)?;
            let category = category.unwrap_or_else(|| "image".to_string());
            if !CATEGORIES.contains(&category.as_str()) {
                return Err(OssError::invalid_argument(format!(
                    "The style category must be image, document or video, not {category:?}."
                )));
            }
            let content = content_of(body)?;
            let mut styles = load(store, bucket)?;
            let secs = now
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let count = styles.len();
            match styles.iter_mut().find(|s| s.name == name) {
                Some(style) => {
                    style.content = content;
                    style.category = category;
                    style.modified = secs;
                }
                None if count >= MAX_STYLES => {
                    return Err(OssError::invalid_argument(format!(
                        "The bucket already holds {MAX_STYLES} styles, the most a bucket holds."
                    )));
                }
                None => styles.push(Stored {
                    name,
                    content,
                    category,
                    created: secs,
                    modified: secs,
                }),
            }
            save(store, bucket, &styles)?;
            Ok(Response::new(200))
        }
        ("DELETE", Some(name)) => {
            check_name(&name)?;
            let mut styles = load(store, bucket)?;
            let before = styles.len();
            styles.retain(|s| s.name != name);
            if styles.len() != before {
                save(store, bucket, &styles)?;
            }
            Ok(Response::new(204))
        }
        ("PUT" | "DELETE", None) => Err(OssError::new(
            400,
            "MissingArgument",
            "",
            "The styleName parameter is required.",
        )),
        (method, _) => Err(OssError::method_not_allowed(method, "Bucket")),
    }
}

/// `process` with a leading `style/<name>` replaced by the style's
/// content (anything after `|` kept); other processes unchanged. A style
/// that is not in `bucket` is 404 `NoSuchStyle`; a malformed name is left
/// for the process parser to report.
pub(crate) fn resolve<'a>(
    store: &Store,
    bucket: &str,
    process: &'a str,
) -> Result<Cow<'a, str>, OssError> {
    let Some(rest) = process.strip_prefix("style/") else {
        return Ok(Cow::Borrowed(process));
    };
    let (name, tail) = match rest.split_once('|') {
        Some((name, tail)) => (name, Some(tail)),
        None => (rest, None),
    };
    if check_style_name(name).is_err() {
        return Ok(Cow::Borrowed(process));
    }
    let style = {
        let _guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
        load(store, bucket)?
            .into_iter()
            .find(|s| s.name == name)
            .ok_or_else(|| no_such_style(name))?
    };
    Ok(Cow::Owned(match tail {
        Some(tail) => format!("{}|{tail}", style.content),
        None => style.content,
    }))
}

fn xml_head() -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".to_string()
}

fn xml_answer(body: String) -> Response {
    Response::new(200)
        .header("Content-Type", "application/xml")
        .body(body.into_bytes())
}

fn no_such_style(name: &str) -> OssError {
    OssError::new(
        404,
        "NoSuchStyle",
        "",
        "The specified style does not exist.",
    )
    .with("StyleName", name)
}

fn check_name(name: &str) -> Result<(), OssError> {
    if check_style_name(name).is_ok() {
        return Ok(());
    }
    let (ec, why) = if (1..=63).contains(&name.len()) {
        ("0017-00000251", "may hold only letters, digits, _, - and .")
    } else {
        ("0017-00000250", "must be 1 to 63 characters long")
    };
    Err(
        OssError::new(400, "InvalidArgument", ec, format!("The style name {why}."))
            .with("StyleName", name),
    )
}

/// The `Content` of a PutStyle body, checked.
fn content_of(body: &[u8]) -> Result<String, OssError> {
    let malformed = |why: String| OssError::new(400, "MalformedXML", "", why);
    let styles = parse_styles("", body).map_err(|e| {
        malformed(format!(
            "The body must be <Style><Content>process</Content></Style>: {e}"
        ))
    })?;
    let content = styles
        .into_iter()
        .next()
        .map(|s| s.content().to_string())
        .filter(|c| !c.is_empty())
        .ok_or_else(|| malformed("The body has no <Style><Content>.".into()))?;
    let process = Process::parse(&content).map_err(|e| {
        OssError::invalid_argument(format!("The style content is not a valid process: {e}"))
    })?;
    if content.contains('|') || process.style_name().is_some() {
        return Err(OssError::invalid_argument(
            "A style holds the processing only: no sys/saveas or notify part (add it where the style is used) and no style/ of its own.",
        ));
    }
    Ok(content)
}

fn file_name() -> String {
    format!("{RESERVED_PREFIX}styles.json")
}

fn load(store: &Store, bucket: &str) -> Result<Vec<Stored>, OssError> {
    let path = store.require_bucket(bucket)?.join(file_name());
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(OssError::internal(format!(
                "The emulator could not read the bucket's styles: {e}."
            )));
        }
    };
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| OssError::internal(format!("The bucket's styles file is damaged: {e}.")))?;
    Ok(value
        .get("styles")
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Stored::from_json).collect())
        .unwrap_or_default())
}

/// Writes the styles file whole (see [`write_whole`]).
fn save(store: &Store, bucket: &str, styles: &[Stored]) -> Result<(), OssError> {
    let dir = store.require_bucket(bucket)?;
    let mut root = Map::new();
    root.insert(
        "styles".into(),
        Value::Array(styles.iter().map(Stored::to_json).collect()),
    );
    write_whole(
        &dir.join(file_name()),
        Value::Object(root).to_string().as_bytes(),
    )
    .map_err(|e| {
        OssError::internal(format!(
            "The emulator could not write the bucket's styles: {e}."
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (Store, std::path::PathBuf) {
        use std::sync::atomic::{AtomicU64, Ordering};
        static ROOTS: AtomicU64 = AtomicU64::new(0);
        let root = std::env::temp_dir().join(format!(
            "oss-emu-styles-{}-{}",
            std::process::id(),
            ROOTS.fetch_add(1, Ordering::Relaxed)
        ));
        let store = Store::new(root.clone());
        store.create_bucket("b1c").unwrap();
        (store, root)
    }

    fn put(store: &Store, query: &str, content: &str) -> Result<Response, OssError> {
        let body = format!("<Style><Content>{content}</Content></Style>");
        handle(
            store,
            "PUT",
            "b1c",
            query,
            body.as_bytes(),
            SystemTime::now(),
        )
    }

    #[test]
    fn put_get_list_delete_and_resolve() {
        let (store, root) = store();
        put(&store, "style&styleName=thumb", "image/resize,p_50").unwrap();
        put(
            &store,
            "style&styleName=doc&category=document",
            "doc/preview,copy_0",
        )
        .unwrap();
        let get = handle(
            &store,
            "GET",
            "b1c",
            "style&styleName=thumb",
            b"",
            SystemTime::now(),
        )
        .unwrap();
        let text = String::from_utf8(get.body).unwrap();
        assert!(
            text.contains("<Content>image/resize,p_50</Content>")
                && text.contains("<Category>image</Category>"),
            "{text}"
        );
        let list = handle(&store, "GET", "b1c", "style", b"", SystemTime::now()).unwrap();
        let styles = parse_styles("", &list.body).unwrap();
        assert_eq!(
            styles.iter().map(|s| s.name()).collect::<Vec<_>>(),
            ["thumb", "doc"]
        );
        assert_eq!(
            resolve(&store, "b1c", "style/thumb|sys/saveas,o_eA").unwrap(),
            "image/resize,p_50|sys/saveas,o_eA"
        );
        assert_eq!(
            resolve(&store, "b1c", "image/rotate,9").unwrap(),
            "image/rotate,9"
        );
        assert_eq!(
            resolve(&store, "b1c", "style/missing").unwrap_err().code,
            "NoSuchStyle"
        );
        assert_eq!(
            handle(
                &store,
                "DELETE",
                "b1c",
                "style&styleName=thumb",
                b"",
                SystemTime::now()
            )
            .unwrap()
            .status,
            204
        );
        assert_eq!(
            resolve(&store, "b1c", "style/thumb").unwrap_err().status,
            404
        );
        // Kept on disk, under the reserved name.
        assert!(root.join("b1c").join(".~oss-emu.styles.json").is_file());
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn names_categories_contents_and_the_limit_are_checked() {
        let (store, root) = store();
        for (query, content, code, ec) in [
            (
                "style&styleName=",
                "image/rotate,90",
                "InvalidArgument",
                "0017-00000250",
            ),
            (
                "style&styleName=a%2Fb",
                "image/rotate,90",
                "InvalidArgument",
                "0017-00000251",
            ),
            (
                "style&styleName=a&category=audio",
                "image/rotate,90",
                "InvalidArgument",
                "0016-00000502",
            ),
            (
                "style&styleName=a",
                "image/resise,w_1",
                "InvalidArgument",
                "0016-00000502",
            ),
            (
                "style&styleName=a",
                "image/rotate,90|sys/saveas,o_eA",
                "InvalidArgument",
                "0016-00000502",
            ),
            (
                "style&styleName=a",
                "style/b",
                "InvalidArgument",
                "0016-00000502",
            ),
            ("style", "image/rotate,90", "MissingArgument", ""),
        ] {
            let e = put(&store, query, content).unwrap_err();
            assert_eq!(
                (e.code, e.ec),
                (code, ec),
                "{query} {content}: {}",
                e.message
            );
        }
        let e = handle(
            &store,
            "PUT",
            "b1c",
            "style&styleName=a",
            b"<Nope/>",
            SystemTime::now(),
        )
        .unwrap_err();
        assert_eq!(e.code, "MalformedXML");
        for i in 0..MAX_STYLES {
            put(&store, &format!("style&styleName=s{i}"), "image/rotate,90").unwrap();
        }
        // Replacing one is fine at the limit; a new one is not.
        put(&store, "style&styleName=s0", "image/rotate,180").unwrap();
        let e = put(&store, "style&styleName=one-more", "image/rotate,90").unwrap_err();
        assert!(e.message.contains("50 styles"), "{}", e.message);
        fs::remove_dir_all(root).unwrap();
    }
}
