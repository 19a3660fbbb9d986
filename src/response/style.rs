//! Bucket styles (PutStyle, GetStyle, ListStyle, DeleteStyle): the
//! [`StyleCategory`] a style is put with, the [`Style`] GetStyle and
//! ListStyle answer, read from their XML (`<Style>` or `<StyleList>` of
//! `<Style>`, each with `Name`, `Content`, `Category`, `CreateTime`,
//! `LastModifyTime`, as the Go and Python SDK V2 models read them), and the
//! XML body PutStyle sends.

use std::fmt;
use std::str::FromStr;
use std::time::SystemTime;

use quick_xml::events::Event;

use crate::error::Error;
use crate::redact::preview;
use crate::time::parse_http_date;

use super::service_error::resolve_entity;

/// What a style processes (`category=` of PutStyle): images (the default),
/// documents or video.
///
/// ```
/// use oss_process::StyleCategory;
///
/// assert_eq!(StyleCategory::Document.as_str(), "document");
/// assert_eq!("video".parse::<StyleCategory>()?, StyleCategory::Video);
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StyleCategory {
    /// `image`.
    Image,
    /// `document`.
    Document,
    /// `video`.
    Video,
}

impl StyleCategory {
    /// Every category.
    pub const ALL: &'static [StyleCategory] = &[
        StyleCategory::Image,
        StyleCategory::Document,
        StyleCategory::Video,
    ];

    /// The category as the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            StyleCategory::Image => "image",
            StyleCategory::Document => "document",
            StyleCategory::Video => "video",
        }
    }
}

impl fmt::Display for StyleCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StyleCategory {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        StyleCategory::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                Error::invalid(
                    "category",
                    format!("must be one of image, document, video, got {s:?}"),
                )
            })
    }
}

/// A style stored in a bucket, as [`Client::get_style`](crate::Client::get_style)
/// and [`Client::list_styles`](crate::Client::list_styles) return it.
///
/// ```no_run
/// # fn demo(client: &oss_process::Client) -> Result<(), oss_process::Error> {
/// let style = client.get_style("examplebucket", "thumb")?;
/// println!("style/{} = {} ({:?}, since {})", style.name(), style.content(),
///     style.category(), style.create_time());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Style {
    name: String,
    content: String,
    category: String,
    create_time: String,
    last_modify_time: String,
}

impl Style {
    /// `Name`: use it as `style/<name>`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `Content`: the process string it stands for, e.g.
    /// `image/resize,p_50`.
    pub fn content(&self) -> &str {
        &self.content
    }

    /// `Category`, when the answer names one this crate knows.
    pub fn category(&self) -> Option<StyleCategory> {
        self.category.parse().ok()
    }

    /// `CreateTime`, as sent (e.g. `Wed, 20 May 2020 12:07:15 GMT`).
    pub fn create_time(&self) -> &str {
        &self.create_time
    }

    /// `CreateTime`, read as an HTTP date.
    pub fn created(&self) -> Option<SystemTime> {
        parse_http_date(&self.create_time)
    }

    /// `LastModifyTime`, as sent.
    pub fn last_modify_time(&self) -> &str {
        &self.last_modify_time
    }

    /// `LastModifyTime`, read as an HTTP date.
    pub fn modified(&self) -> Option<SystemTime> {
        parse_http_date(&self.last_modify_time)
    }
}

/// The PutStyle body: `<Style><Content>...</Content></Style>`, the content
/// XML-escaped.
pub(crate) fn put_style_body(content: &str) -> Vec<u8> {
    let mut body = String::with_capacity(content.len() + 64);
    body.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Style><Content>");
    for c in content.chars() {
        match c {
            '&' => body.push_str("&amp;"),
            '<' => body.push_str("&lt;"),
            '>' => body.push_str("&gt;"),
            c => body.push(c),
        }
    }
    body.push_str("</Content></Style>");
    body.into_bytes()
}

/// Reads the styles of a GetStyle (`<Style>`) or ListStyle
/// (`<StyleList>`) answer, in order. A body that is neither is
/// [`Error::Decode`].
pub(crate) fn parse_styles(request_id: &str, body: &[u8]) -> Result<Vec<Style>, Error> {
    let bad = |why: &str| Error::Decode {
        message: format!("the style answer {why}: {}", preview(body)),
        request_id: (!request_id.is_empty()).then(|| request_id.to_string()),
        source: None,
    };
    let text = std::str::from_utf8(body).map_err(|_| bad("is not UTF-8"))?;
    let mut reader = quick_xml::Reader::from_str(text);
    // The element names from the root down.
    let mut path: Vec<String> = Vec::new();
    let mut styles = Vec::new();
    let mut current: Option<Style> = None;
    let mut value = String::new();
    let mut saw_root = false;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Err(e) => return Err(bad(&format!("is not XML ({e})"))),
            Ok(Event::Start(start)) => {
                let name = start.local_name().as_ref().to_string();
                let is_style = name == "Style"
                    && (path.is_empty() || (path.len() == 1 && path[0] == "StyleList"));
                if path.is_empty() && name != "Style" && name != "StyleList" {
                    return Err(bad(&format!(
                        "has the root <{name}>, not <Style> or <StyleList>"
                    )));
                }
                if is_style {
                    current = Some(Style::default());
                }
                saw_root = true;
                path.push(name);
                value.clear();
            }
            Ok(Event::Empty(empty)) => {
                let name = empty.local_name();
                if path.is_empty() && name.as_ref() == "StyleList" {
                    return Ok(Vec::new());
                }
            }
            Ok(Event::End(_)) => {
                let Some(name) = path.pop() else {
                    return Err(bad("closes an element it never opened"));
                };
                if let Some(style) = current.as_mut() {
                    let field = match name.as_str() {
                        "Name" => Some(&mut style.name),
                        "Content" => Some(&mut style.content),
                        "Category" => Some(&mut style.category),
                        "CreateTime" => Some(&mut style.create_time),
                        "LastModifyTime" => Some(&mut style.last_modify_time),
                        _ => None,
                    };
                    if let Some(field) = field {
                        *field = std::mem::take(&mut value);
                    }
                }
                if name == "Style" && path.last().is_none_or(|p| p == "StyleList") {
                    styles.extend(current.take());
                }
            }
            Ok(Event::Text(t)) => value.push_str(&t.xml10_content()),
            Ok(Event::CData(c)) => value.push_str(&c.xml10_content()),
            Ok(Event::GeneralRef(r)) => match resolve_entity(&r) {
                Some(c) => value.push(c),
                None => return Err(bad(&format!("has an unknown entity &{};", &*r))),
            },
            Ok(_) => {}
        }
    }
    if !path.is_empty() {
        return Err(bad("ends before its elements close"));
    }
    if !saw_root {
        return Err(bad("has no <Style> or <StyleList> root"));
    }
    Ok(styles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_and_list_answers() {
        let get = br#"<?xml version="1.0" encoding="UTF-8"?>
<Style>
 <Name>imagestyle</Name>
 <Content>image/resize,p_50</Content>
 <Category>image</Category>
 <CreateTime>Wed, 20 May 2020 12:07:15 GMT</CreateTime>
 <LastModifyTime>Wed, 21 May 2020 12:07:15 GMT</LastModifyTime>
</Style>"#;
        let styles = parse_styles("R", get).unwrap();
        assert_eq!(styles.len(), 1);
        let s = &styles[0];
        assert_eq!(
            (s.name(), s.content(), s.category()),
            (
                "imagestyle",
                "image/resize,p_50",
                Some(StyleCategory::Image)
            )
        );
        assert_eq!(s.create_time(), "Wed, 20 May 2020 12:07:15 GMT");
        assert!(s.created().unwrap() < s.modified().unwrap());
        let list = br#"<StyleList><Style><Name>a</Name><Content>image/watermark,text_&amp;&#65;</Content></Style><Style><Name>b</Name><Content><![CDATA[style<b>]]></Content><Category>document</Category></Style></StyleList>"#;
        let styles = parse_styles("R", list).unwrap();
        assert_eq!(styles.len(), 2);
        assert_eq!(styles[0].content(), "image/watermark,text_&A");
        assert_eq!(styles[0].category(), None);
        assert_eq!(styles[1].content(), "style<b>");
        assert_eq!(styles[1].category(), Some(StyleCategory::Document));
        assert_eq!(parse_styles("R", b"<StyleList/>").unwrap(), []);
        assert_eq!(parse_styles("R", b"<StyleList></StyleList>").unwrap(), []);
    }

    #[test]
    fn other_bodies_are_decode_errors() {
        for bad in [
            &b"<Error><Code>X</Code></Error>"[..],
            b"{\"Style\": 1}",
            b"<Style><Name>a</Name>",
            b"\xff",
        ] {
            let e = parse_styles("R", bad).unwrap_err();
            assert!(matches!(e, Error::Decode { .. }), "{e:?}");
        }
    }

    #[test]
    fn the_put_body_escapes_the_content() {
        assert_eq!(
            String::from_utf8(put_style_body("image/a<&>")).unwrap(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Style><Content>image/a&lt;&amp;&gt;</Content></Style>"
        );
    }
}
