//! Document actions (`doc/...`), all backed by IMM: `doc/snapshot` (one
//! page as an image), `doc/preview` and `doc/edit` (the WebOffice page,
//! with its print/copy/export switches and text watermark), all synchronous
//! and answered to GET; the six document AI actions (`doc/translate` and
//! the others, in [`super::doc_ai`]), synchronous and sent with POST only;
//! and `doc/convert`, an asynchronous task that writes the converted
//! document (or one image per page) with `sys/saveas`.
//!
//! Parameters, as the OSS pages document them: `doc/snapshot` takes
//! `target_` (png, jpg), `source_` (pdf, xlsx, xls, docx, doc, pptx, ppt;
//! default from the key's suffix) and `page_` (1 to 2000, default 1).
//! `doc/convert` takes `target_` (pdf, png, jpg, txt), `source_` (the Word,
//! PowerPoint, Excel and PDF suffixes below) and `pages_`, the pages as
//! `1,2,4-10`, URL-safe base64 encoded (the current page says so; written
//! plain its commas would end the parameter). `doc/preview` takes `print_`,
//! `copy_`, `export_` (0 or 1) and a chained
//! `/watermark,text_,size_,t_,color_,rotate_,type_`; the official table for
//! those was not retrieved, so they come from the docs' sample as public
//! code echoes it, and `doc/edit` takes the same (its own table was not
//! retrieved either). Assumed where nothing is documented: the colour is six
//! hex digits like the image watermark's (one public sample writes
//! `color_#FFFFFF`), and the size is 1 to 1000 like the image text
//! watermark's.

use crate::encoding::base64_url;
use crate::error::Error;
use crate::process::check;
use crate::process::color::{Color, check_color, set_color};
use crate::process::doc_ai::DocAi;
use crate::process::image::SnapshotFormat;
use crate::process::params::{
    decoded, display_by_render, flag, int, param, params, pieces, required, shorten, split_action,
    split_chain, unknown, wire_enum, word,
};
use crate::process::pipeline::{Method, Mode, SaveAsRule};

/// `doc/snapshot` `page_`.
const PAGE: std::ops::RangeInclusive<u32> = 1..=2000;
/// The document watermark's `t_` (opacity, percent).
const OPACITY: std::ops::RangeInclusive<u32> = 0..=100;
/// The document watermark's `rotate_`, in degrees.
const DEGREES: std::ops::RangeInclusive<u32> = 0..=360;
/// The document watermark's `size_` (assumed, see the module docs).
const FONT_SIZE: std::ops::RangeInclusive<u32> = 1..=1000;
/// The sources `doc/snapshot` documents.
const SNAPSHOT_SOURCES: [DocSource; 7] = [
    DocSource::Pdf,
    DocSource::Xlsx,
    DocSource::Xls,
    DocSource::Docx,
    DocSource::Doc,
    DocSource::Pptx,
    DocSource::Ppt,
];

wire_enum! {
    /// What `doc/convert` writes (`target_`). Text output is for Word and
    /// PowerPoint documents only.
    ///
    /// ```
    /// use oss_process::process::DocTarget;
    ///
    /// assert_eq!(DocTarget::Txt.as_str(), "txt");
    /// ```
    DocTarget ("target") {
        /// `pdf`: one PDF file.
        Pdf => "pdf",
        /// `png`: one image per page.
        Png => "png",
        /// `jpg`: one image per page.
        Jpg => "jpg",
        /// `txt`: the text.
        Txt => "txt",
    }
}

wire_enum! {
    /// The source type of a document (`source_`), when its key has no
    /// suffix that says it.
    ///
    /// ```
    /// use oss_process::process::DocSource;
    ///
    /// assert_eq!(DocSource::Docx.as_str(), "docx");
    /// assert_eq!("et".parse::<DocSource>()?, DocSource::Et);
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    DocSource ("source") {
        /// Word `doc`.
        Doc => "doc",
        /// Word `docx`.
        Docx => "docx",
        /// WPS `wps`.
        Wps => "wps",
        /// WPS `wpss`.
        Wpss => "wpss",
        /// Word `docm`.
        Docm => "docm",
        /// Word `dotm`.
        Dotm => "dotm",
        /// Word `dot`.
        Dot => "dot",
        /// Word `dotx`.
        Dotx => "dotx",
        /// `html`.
        Html => "html",
        /// PowerPoint `pptx`.
        Pptx => "pptx",
        /// PowerPoint `ppt`.
        Ppt => "ppt",
        /// PowerPoint `pot`.
        Pot => "pot",
        /// PowerPoint `potx`.
        Potx => "potx",
        /// PowerPoint `pps`.
        Pps => "pps",
        /// PowerPoint `ppsx`.
        Ppsx => "ppsx",
        /// WPS `dps`.
        Dps => "dps",
        /// WPS `dpt`.
        Dpt => "dpt",
        /// PowerPoint `pptm`.
        Pptm => "pptm",
        /// PowerPoint `potm`.
        Potm => "potm",
        /// PowerPoint `ppsm`.
        Ppsm => "ppsm",
        /// WPS `dpss`.
        Dpss => "dpss",
        /// Excel `xls`.
        Xls => "xls",
        /// Excel `xlt`.
        Xlt => "xlt",
        /// WPS `et`.
        Et => "et",
        /// WPS `ett`.
        Ett => "ett",
        /// Excel `xlsx`.
        Xlsx => "xlsx",
        /// Excel `xltx`.
        Xltx => "xltx",
        /// `csv`.
        Csv => "csv",
        /// Excel `xlsb`.
        Xlsb => "xlsb",
        /// Excel `xlsm`.
        Xlsm => "xlsm",
        /// Excel `xltm`.
        Xltm => "xltm",
        /// WPS `ets`.
        Ets => "ets",
        /// `pdf`.
        Pdf => "pdf",
    }
}

/// A document action, with its parameters: what
/// [`Pipeline::Doc`](super::Pipeline::Doc) holds.
///
/// ```
/// use oss_process::process::{DocAction, Mode, Pipeline, Process};
///
/// let p = Process::parse("doc/snapshot,target_png,page_2")?;
/// let Pipeline::Doc(DocAction::Snapshot(snapshot)) = p.pipeline() else { panic!() };
/// assert_eq!(snapshot.page, Some(2));
/// assert_eq!(DocAction::Snapshot(snapshot.clone()).mode(), Mode::Sync);
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DocAction {
    /// `doc/snapshot`: one page as an image (sync, GET).
    Snapshot(DocSnapshot),
    /// `doc/preview`: the WebOffice preview page (sync, presigned GET on a
    /// custom domain).
    Preview(WebOffice),
    /// `doc/edit`: the WebOffice editor (sync, presigned GET on a custom
    /// domain).
    Edit(WebOffice),
    /// `doc/convert`: convert the document (async, saved with
    /// `sys/saveas`).
    Convert(DocConvert),
    /// `doc/translate`, `doc/polish`, `doc/summarize`, `doc/continue`,
    /// `doc/enrich`, `doc/rephrase`: document AI (sync, POST only, answered
    /// with JSON or an event stream, never saved).
    Ai(DocAi),
}

impl DocAction {
    /// The action's name, e.g. `snapshot` for `doc/snapshot`.
    ///
    /// ```
    /// use oss_process::process::{DocAction, WebOffice};
    ///
    /// assert_eq!(DocAction::Edit(WebOffice::new()).name(), "edit");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            DocAction::Snapshot(_) => "snapshot",
            DocAction::Preview(_) => "preview",
            DocAction::Edit(_) => "edit",
            DocAction::Convert(_) => "convert",
            DocAction::Ai(ai) => ai.task.name(),
        }
    }

    /// Whether the service runs it synchronously (`x-oss-process`) or as a
    /// task (`x-oss-async-process`).
    ///
    /// ```
    /// use oss_process::process::{DocAction, DocConvert, DocTarget, Mode};
    ///
    /// assert_eq!(DocAction::Convert(DocConvert::new(DocTarget::Pdf)).mode(), Mode::Async);
    /// ```
    pub fn mode(&self) -> Mode {
        match self {
            DocAction::Convert(_) => Mode::Async,
            DocAction::Snapshot(_)
            | DocAction::Preview(_)
            | DocAction::Edit(_)
            | DocAction::Ai(_) => Mode::Sync,
        }
    }

    /// Which HTTP method the service answers it to: the pages and
    /// snapshots to GET, document AI and the conversion task to POST.
    ///
    /// ```
    /// use oss_process::process::{DocAction, DocAi, Method, WebOffice};
    ///
    /// assert_eq!(DocAction::Preview(WebOffice::new()).method(), Method::Get);
    /// assert_eq!(DocAction::Ai(DocAi::polish("x")).method(), Method::Post);
    /// ```
    pub fn method(&self) -> Method {
        match self {
            DocAction::Snapshot(_) | DocAction::Preview(_) | DocAction::Edit(_) => Method::Get,
            DocAction::Convert(_) | DocAction::Ai(_) => Method::Post,
        }
    }

    /// Whether its result can, must or cannot be saved with `sys/saveas`.
    ///
    /// ```
    /// use oss_process::process::{DocAction, SaveAsRule, WebOffice};
    ///
    /// assert_eq!(DocAction::Preview(WebOffice::new()).save_as_rule(), SaveAsRule::Never);
    /// ```
    pub fn save_as_rule(&self) -> SaveAsRule {
        SaveAsRule::of_single_action(self.mode())
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        match self {
            DocAction::Snapshot(a) => a.validate(),
            DocAction::Preview(a) => a.validate("doc/preview"),
            DocAction::Edit(a) => a.validate("doc/edit"),
            DocAction::Convert(a) => a.validate(),
            DocAction::Ai(a) => a.validate(),
        }
    }

    /// Appends the action, `doc/` included.
    pub(crate) fn render(&self, out: &mut String) {
        out.push_str("doc/");
        out.push_str(self.name());
        match self {
            DocAction::Snapshot(a) => a.render_params(out),
            DocAction::Preview(a) | DocAction::Edit(a) => a.render_params(out),
            DocAction::Convert(a) => a.render_params(out),
            DocAction::Ai(a) => a.render_params(out),
        }
    }

    /// Reads the text after `doc/`; `Ok(None)` when the action is not one
    /// this crate types.
    pub(crate) fn parse(text: &str) -> Result<Option<DocAction>, Error> {
        let (head, chained) = split_chain(text);
        let (name, args) = split_action(head);
        let action = match name {
            "snapshot" => DocAction::Snapshot(DocSnapshot::parse(&args)?),
            "preview" => DocAction::Preview(WebOffice::parse("doc/preview", &args, chained)?),
            "edit" => DocAction::Edit(WebOffice::parse("doc/edit", &args, chained)?),
            "convert" => DocAction::Convert(DocConvert::parse(&args)?),
            _ => match DocAi::parse(name, &args)? {
                Some(ai) => DocAction::Ai(ai),
                None => return Ok(None),
            },
        };
        if chained.is_some() && !matches!(action, DocAction::Preview(_) | DocAction::Edit(_)) {
            return Err(Error::invalid(
                format!("doc/{name}"),
                "takes no chained action (only doc/preview and doc/edit take /watermark)",
            ));
        }
        action.validate()?;
        Ok(Some(action))
    }
}

display_by_render!(DocAction);

/// `doc/snapshot`: one page of a document as a PNG or JPG image. It is
/// synchronous and answered to GET (presign it, or fetch it with the
/// client's `get_processed`); the docs do not document saving it. Sources
/// up to 20 MB: pdf, xlsx, xls, docx, doc, pptx, ppt.
///
/// ```
/// use oss_process::process::{DocSnapshot, DocSource, Process, SnapshotFormat};
///
/// let p = Process::doc()
///     .snapshot(DocSnapshot::new(SnapshotFormat::Jpg).source(DocSource::Docx).page(2))
///     .build()?;
/// assert_eq!(p.as_str(), "doc/snapshot,target_jpg,source_docx,page_2");
/// assert!(Process::doc().snapshot(DocSnapshot::new(SnapshotFormat::Png).page(2001)).build().is_err());
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DocSnapshot {
    /// `target_`: the image format.
    pub target: SnapshotFormat,
    /// `source_`: the document type; `None` takes it from the key's suffix
    /// (a key without one then fails).
    pub source: Option<DocSource>,
    /// `page_`: the page, 1 to 2000; `None` is the first.
    pub page: Option<u32>,
}

impl DocSnapshot {
    /// A snapshot of the first page as `target`.
    ///
    /// ```
    /// use oss_process::process::{DocSnapshot, SnapshotFormat};
    ///
    /// assert_eq!(DocSnapshot::new(SnapshotFormat::Png).target, SnapshotFormat::Png);
    /// ```
    #[must_use]
    pub fn new(target: SnapshotFormat) -> Self {
        DocSnapshot {
            target,
            source: None,
            page: None,
        }
    }

    /// Sets the source type (`source_`): pdf, xlsx, xls, docx, doc, pptx or
    /// ppt.
    ///
    /// ```
    /// use oss_process::process::{DocSnapshot, DocSource, SnapshotFormat};
    ///
    /// let s = DocSnapshot::new(SnapshotFormat::Png).source(DocSource::Pdf);
    /// assert_eq!(s.source, Some(DocSource::Pdf));
    /// ```
    #[must_use]
    pub fn source(mut self, source: DocSource) -> Self {
        self.source = Some(source);
        self
    }

    /// Sets the page (`page_`), 1 to 2000.
    ///
    /// ```
    /// use oss_process::process::{DocSnapshot, SnapshotFormat};
    ///
    /// assert_eq!(DocSnapshot::new(SnapshotFormat::Png).page(3).page, Some(3));
    /// ```
    #[must_use]
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    fn validate(&self) -> Result<(), Error> {
        if let Some(source) = self.source
            && !SNAPSHOT_SOURCES.contains(&source)
        {
            let allowed: Vec<&str> = SNAPSHOT_SOURCES.iter().map(|s| s.as_str()).collect();
            return Err(Error::invalid(
                "doc/snapshot.source",
                format!("must be one of {}, got {source:?}", allowed.join(", ")),
            ));
        }
        check::opt_range("doc/snapshot.page", self.page, &PAGE)
    }

    fn render_params(&self, out: &mut String) {
        param(out, "target", Some(self.target));
        param(out, "source", self.source);
        param(out, "page", self.page);
    }

    fn parse(args: &[&str]) -> Result<DocSnapshot, Error> {
        let (mut target, mut source, mut page) = (None, None, None);
        for (name, value) in params("doc/snapshot", args)? {
            match name {
                "target" => target = Some(word("doc/snapshot.target", value)?),
                "source" => source = Some(word("doc/snapshot.source", value)?),
                "page" => page = Some(int("doc/snapshot.page", value, &PAGE)?),
                _ => return Err(unknown("doc/snapshot", name, "target, source, page")),
            }
        }
        Ok(DocSnapshot {
            target: required("doc/snapshot.target", target)?,
            source,
            page,
        })
    }
}

/// The WebOffice page that `doc/preview` and `doc/edit` open: whether the
/// reader may print, copy and export, and an optional text watermark. Both
/// actions are synchronous, answered to a presigned GET on a custom domain
/// (the default OSS domain forces a download), and cannot be saved or
/// chained with other actions.
///
/// ```
/// use oss_process::process::{DocWatermark, Process, WebOffice};
///
/// let page = WebOffice::new()
///     .print(false)
///     .copy(false)
///     .export(false)
///     .watermark(DocWatermark::new("内部资料").size(30).transparency(60));
/// let p = Process::doc().preview(page.clone()).build()?;
/// assert_eq!(
///     p.as_str(),
///     "doc/preview,print_0,copy_0,export_0/watermark,text_5YaF6YOo6LWE5paZ,size_30,t_60"
/// );
/// let p = Process::doc().edit(page).build()?;
/// assert!(p.as_str().starts_with("doc/edit,print_0,"));
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct WebOffice {
    /// `print_`: whether the reader may print.
    pub print: Option<bool>,
    /// `copy_`: whether the reader may copy text.
    pub copy: Option<bool>,
    /// `export_`: whether the reader may export (as PDF).
    pub export: Option<bool>,
    /// `/watermark,...`: a text watermark over the pages.
    pub watermark: Option<DocWatermark>,
}

impl WebOffice {
    /// A page with the service's defaults.
    ///
    /// ```
    /// use oss_process::process::{Process, WebOffice};
    ///
    /// assert_eq!(Process::doc().preview(WebOffice::new()).build()?.as_str(), "doc/preview");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    #[must_use]
    pub fn new() -> Self {
        WebOffice::default()
    }

    /// Sets whether the reader may print (`print_`).
    ///
    /// ```
    /// use oss_process::process::WebOffice;
    ///
    /// assert_eq!(WebOffice::new().print(true).print, Some(true));
    /// ```
    #[must_use]
    pub fn print(mut self, allowed: bool) -> Self {
        self.print = Some(allowed);
        self
    }

    /// Sets whether the reader may copy text (`copy_`).
    ///
    /// ```
    /// use oss_process::process::WebOffice;
    ///
    /// assert_eq!(WebOffice::new().copy(false).copy, Some(false));
    /// ```
    #[must_use]
    pub fn copy(mut self, allowed: bool) -> Self {
        self.copy = Some(allowed);
        self
    }

    /// Sets whether the reader may export (`export_`).
    ///
    /// ```
    /// use oss_process::process::WebOffice;
    ///
    /// assert_eq!(WebOffice::new().export(true).export, Some(true));
    /// ```
    #[must_use]
    pub fn export(mut self, allowed: bool) -> Self {
        self.export = Some(allowed);
        self
    }

    /// Adds a text watermark over the pages (`/watermark,...`).
    ///
    /// ```
    /// use oss_process::process::{DocWatermark, WebOffice};
    ///
    /// let page = WebOffice::new().watermark(DocWatermark::new("draft"));
    /// assert_eq!(page.watermark.map(|w| w.text), Some("draft".to_string()));
    /// ```
    #[must_use]
    pub fn watermark(mut self, watermark: DocWatermark) -> Self {
        self.watermark = Some(watermark);
        self
    }

    fn validate(&self, action: &str) -> Result<(), Error> {
        match &self.watermark {
            Some(w) => w.validate(action),
            None => Ok(()),
        }
    }

    fn render_params(&self, out: &mut String) {
        param(out, "print", self.print.map(u8::from));
        param(out, "copy", self.copy.map(u8::from));
        param(out, "export", self.export.map(u8::from));
        if let Some(w) = &self.watermark {
            w.render(out);
        }
    }

    /// Reads `print_`, `copy_`, `export_` and the chained watermark.
    fn parse(action: &str, args: &[&str], chained: Option<&str>) -> Result<WebOffice, Error> {
        let mut page = WebOffice::new();
        for (name, value) in params(action, args)? {
            let value = flag(&format!("{action}.{name}"), value);
            match name {
                "print" => page.print = Some(value?),
                "copy" => page.copy = Some(value?),
                "export" => page.export = Some(value?),
                _ => return Err(unknown(action, name, "print, copy, export")),
            }
        }
        if let Some(chained) = chained {
            page.watermark = Some(DocWatermark::parse(action, chained)?);
        }
        Ok(page)
    }
}

/// The text watermark over a [`WebOffice`] page (`/watermark,...` after
/// `doc/preview` or `doc/edit`). The text and the font name are encoded for
/// you.
///
/// | field | wire | allowed |
/// |---|---|---|
/// | `text` | `text_` | required, no control characters |
/// | `size` | `size_` | 1 to 1000 (assumed, as the image text watermark) |
/// | `transparency` | `t_` | 0 to 100 |
/// | `color` | `color_` | six hex digits (assumed, as the image watermark) |
/// | `rotate` | `rotate_` | 0 to 360 degrees |
/// | `font` | `type_` | a font name |
///
/// ```
/// use oss_process::process::{DocWatermark, Process, WebOffice};
///
/// let mark = DocWatermark::new("Internal")
///     .size(30)
///     .transparency(60)
///     .color("C0C0C0")
///     .rotate(45)
///     .font("wqy-zenhei");
/// let p = Process::doc().preview(WebOffice::new().watermark(mark)).build()?;
/// assert_eq!(
///     p.as_str(),
///     "doc/preview/watermark,text_SW50ZXJuYWw,size_30,t_60,color_C0C0C0,rotate_45,type_d3F5LXplbmhlaQ"
/// );
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DocWatermark {
    /// `text_`: the text, decoded.
    pub text: String,
    /// `size_`: the font size.
    pub size: Option<u32>,
    /// `t_`: opacity, 0 to 100.
    pub transparency: Option<u32>,
    /// `color_`: the text colour.
    pub color: Option<Color>,
    /// `rotate_`: the rotation, 0 to 360 degrees.
    pub rotate: Option<u32>,
    /// `type_`: the font name, decoded.
    pub font: Option<String>,
    bad_color: Option<String>,
}

impl DocWatermark {
    /// A watermark of `text`.
    ///
    /// ```
    /// use oss_process::process::DocWatermark;
    ///
    /// assert_eq!(DocWatermark::new("draft").text, "draft");
    /// ```
    #[must_use]
    pub fn new(text: impl Into<String>) -> Self {
        DocWatermark {
            text: text.into(),
            size: None,
            transparency: None,
            color: None,
            rotate: None,
            font: None,
            bad_color: None,
        }
    }

    /// Sets the font size (`size_`).
    ///
    /// ```
    /// use oss_process::process::DocWatermark;
    ///
    /// assert_eq!(DocWatermark::new("x").size(20).size, Some(20));
    /// ```
    #[must_use]
    pub fn size(mut self, size: u32) -> Self {
        self.size = Some(size);
        self
    }

    /// Sets the opacity (`t_`), 0 to 100.
    ///
    /// ```
    /// use oss_process::process::DocWatermark;
    ///
    /// assert_eq!(DocWatermark::new("x").transparency(50).transparency, Some(50));
    /// ```
    #[must_use]
    pub fn transparency(mut self, transparency: u32) -> Self {
        self.transparency = Some(transparency);
        self
    }

    /// Sets the colour (`color_`): six hex digits, e.g. `"C0C0C0"`; a
    /// malformed value is reported by `build`.
    ///
    /// ```
    /// use oss_process::process::{Color, DocWatermark};
    ///
    /// assert_eq!(DocWatermark::new("x").color("ff0000").color, Some(Color::rgb(255, 0, 0)));
    /// ```
    #[must_use]
    pub fn color(mut self, hex: impl AsRef<str>) -> Self {
        set_color(&mut self.color, &mut self.bad_color, hex.as_ref());
        self
    }

    /// Sets the rotation (`rotate_`), 0 to 360 degrees.
    ///
    /// ```
    /// use oss_process::process::DocWatermark;
    ///
    /// assert_eq!(DocWatermark::new("x").rotate(45).rotate, Some(45));
    /// ```
    #[must_use]
    pub fn rotate(mut self, degrees: u32) -> Self {
        self.rotate = Some(degrees);
        self
    }

    /// Sets the font by name (`type_`); encoded for you.
    ///
    /// ```
    /// use oss_process::process::DocWatermark;
    ///
    /// assert_eq!(DocWatermark::new("x").font("wqy-zenhei").font.as_deref(), Some("wqy-zenhei"));
    /// ```
    #[must_use]
    pub fn font(mut self, font: impl Into<String>) -> Self {
        self.font = Some(font.into());
        self
    }

    fn validate(&self, action: &str) -> Result<(), Error> {
        let name = |p: &str| format!("{action}.watermark.{p}");
        check::not_empty(&name("text"), &self.text)?;
        check::no_control(&name("text"), &self.text)?;
        if let Some(font) = &self.font {
            check::not_empty(&name("type"), font)?;
            check::no_control(&name("type"), font)?;
        }
        check_color(&name("color"), self.bad_color.as_ref())?;
        check::opt_range(&name("size"), self.size, &FONT_SIZE)?;
        check::opt_range(&name("t"), self.transparency, &OPACITY)?;
        check::opt_range(&name("rotate"), self.rotate, &DEGREES)
    }

    fn render(&self, out: &mut String) {
        out.push_str("/watermark");
        param(out, "text", Some(base64_url(&self.text)));
        param(out, "size", self.size);
        param(out, "t", self.transparency);
        param(out, "color", self.color);
        param(out, "rotate", self.rotate);
        param(out, "type", self.font.as_deref().map(base64_url));
    }

    /// Reads `watermark,...` chained after `action`.
    fn parse(action: &str, text: &str) -> Result<DocWatermark, Error> {
        let (name, args) = split_action(text);
        if name != "watermark" {
            return Err(Error::invalid(
                action,
                format!(
                    "takes only /watermark after its parameters, got {:?}",
                    shorten(text)
                ),
            ));
        }
        let prefix = format!("{action}.watermark");
        let name = |p: &str| format!("{prefix}.{p}");
        let mut text = None;
        let mut mark = DocWatermark::new("");
        for (param, value) in params(&prefix, &args)? {
            match param {
                "text" => text = Some(decoded(&name("text"), value)?),
                "size" => mark.size = Some(int(&name("size"), value, &FONT_SIZE)?),
                "t" => mark.transparency = Some(int(&name("t"), value, &OPACITY)?),
                "color" => mark.color = Some(Color::parse_for(&name("color"), value)?),
                "rotate" => mark.rotate = Some(int(&name("rotate"), value, &DEGREES)?),
                "type" => mark.font = Some(decoded(&name("type"), value)?),
                _ => {
                    return Err(unknown(
                        &prefix,
                        param,
                        "text, size, t, color, rotate, type",
                    ));
                }
            }
        }
        mark.text = required(&name("text"), text)?;
        Ok(mark)
    }
}

/// `doc/convert`: converts a document to PDF, images (one per page) or
/// text, as an asynchronous task (`x-oss-async-process`) that saves its
/// result with `sys/saveas` (required) and may notify a topic. For images,
/// put `{index}` in the target key so each page gets its own object. Input
/// up to 200 MB.
///
/// ```
/// use oss_process::process::{DocConvert, DocSource, DocTarget, Process, SaveAs};
///
/// // The docs' example.
/// let p = Process::doc()
///     .convert(DocConvert::new(DocTarget::Png).source(DocSource::Docx))
///     .save_as(SaveAs::new("doc_images/{index}.png").bucket("test-bucket"))
///     .notify_topic("test-topic")
///     .build()?;
/// assert_eq!(
///     p.as_str(),
///     "doc/convert,target_png,source_docx\
///      |sys/saveas,b_dGVzdC1idWNrZXQ,o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw/notify,topic_dGVzdC10b3BpYw"
/// );
///
/// // Pages 1, 2 and 4 to 10, written base64 encoded.
/// let p = Process::doc()
///     .convert(DocConvert::new(DocTarget::Pdf).pages("1,2,4-10"))
///     .save_as(SaveAs::new("out.pdf"))
///     .build()?;
/// assert_eq!(p.as_str(), "doc/convert,target_pdf,pages_MSwyLDQtMTA|sys/saveas,o_b3V0LnBkZg");
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DocConvert {
    /// `target_`: what to write.
    pub target: DocTarget,
    /// `source_`: the document type; `None` takes it from the key's suffix.
    pub source: Option<DocSource>,
    /// `pages_`: the pages to convert, decoded, e.g. `1,2,4-10`; `None`
    /// converts them all.
    pub pages: Option<String>,
}

impl DocConvert {
    /// A conversion of every page to `target`.
    ///
    /// ```
    /// use oss_process::process::{DocConvert, DocTarget};
    ///
    /// assert_eq!(DocConvert::new(DocTarget::Txt).target, DocTarget::Txt);
    /// ```
    #[must_use]
    pub fn new(target: DocTarget) -> Self {
        DocConvert {
            target,
            source: None,
            pages: None,
        }
    }

    /// Sets the source type (`source_`).
    ///
    /// ```
    /// use oss_process::process::{DocConvert, DocSource, DocTarget};
    ///
    /// let c = DocConvert::new(DocTarget::Pdf).source(DocSource::Pptx);
    /// assert_eq!(c.source, Some(DocSource::Pptx));
    /// ```
    #[must_use]
    pub fn source(mut self, source: DocSource) -> Self {
        self.source = Some(source);
        self
    }

    /// Sets the pages to convert (`pages_`): page numbers and ranges from 1,
    /// separated by commas, e.g. `1,2,4-10`. Checked by `build`.
    ///
    /// ```
    /// use oss_process::process::{DocConvert, DocTarget, Process, SaveAs};
    ///
    /// assert_eq!(DocConvert::new(DocTarget::Png).pages("3-5").pages.as_deref(), Some("3-5"));
    /// let bad = Process::doc().convert(DocConvert::new(DocTarget::Png).pages("5-3"))
    ///     .save_as(SaveAs::new("p/{index}.png"))
    ///     .build();
    /// assert!(bad.unwrap_err().to_string().contains("doc/convert.pages"));
    /// ```
    #[must_use]
    pub fn pages(mut self, pages: impl Into<String>) -> Self {
        self.pages = Some(pages.into());
        self
    }

    fn validate(&self) -> Result<(), Error> {
        match &self.pages {
            Some(pages) => check_pages(pages),
            None => Ok(()),
        }
    }

    fn render_params(&self, out: &mut String) {
        param(out, "target", Some(self.target));
        param(out, "source", self.source);
        param(out, "pages", self.pages.as_deref().map(base64_url));
    }

    fn parse(args: &[&str]) -> Result<DocConvert, Error> {
        let (mut target, mut source, mut pages) = (None, None, None);
        for (name, value) in params("doc/convert", args)? {
            match name {
                "target" => target = Some(word("doc/convert.target", value)?),
                "source" => source = Some(word("doc/convert.source", value)?),
                "pages" => pages = Some(decoded("doc/convert.pages", value)?),
                _ => return Err(unknown("doc/convert", name, "target, source, pages")),
            }
        }
        Ok(DocConvert {
            target: required("doc/convert.target", target)?,
            source,
            pages,
        })
    }
}

/// `1,2,4-10`: page numbers from 1 and ascending ranges, comma-separated.
fn check_pages(pages: &str) -> Result<(), Error> {
    const NAME: &str = "doc/convert.pages";
    let bad = |why: &str| {
        Error::invalid(
            NAME,
            format!(
                "must be page numbers and ranges from 1, e.g. 1,2,4-10; {why} in {:?}",
                shorten(pages)
            ),
        )
    };
    let number = |text: &str| -> Result<u32, Error> {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(&format!("{:?} is not a page number", shorten(text))));
        }
        match text.parse::<u32>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(bad(&format!("{:?} is not a page number", shorten(text)))),
        }
    };
    for (_, item) in pieces(pages, 0, ',') {
        match item.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (number(from)?, number(to)?);
                if from > to {
                    return Err(bad(&format!("the range {from}-{to} runs backwards")));
                }
            }
            None => {
                number(item)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> DocAction {
        DocAction::parse(text)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .unwrap_or_else(|| panic!("{text}: not typed"))
    }

    #[test]
    fn snapshot_sources_are_the_documented_subset() {
        let ok = DocSnapshot::new(SnapshotFormat::Png).source(DocSource::Pptx);
        assert!(ok.validate().is_ok());
        let err = DocSnapshot::new(SnapshotFormat::Png)
            .source(DocSource::Wps)
            .validate()
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("invalid doc/snapshot.source: must be one of pdf, xlsx"),
            "{err}"
        );
    }

    #[test]
    fn pages_syntax() {
        for good in ["1", "1,2,4-10", "7-7", "2000,1"] {
            assert!(check_pages(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "0",
            "1,",
            ",1",
            "1-",
            "-3",
            "a",
            "1 ,2",
            "5-3",
            "1--2",
            "99999999999",
        ] {
            assert!(check_pages(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn actions_parse_back_to_what_renders() {
        for text in [
            "snapshot,target_png",
            "snapshot,target_jpg,source_docx,page_2000",
            "preview",
            "preview,print_1,copy_0,export_1",
            "edit,copy_1/watermark,text_eA,size_1000,t_0,color_000000,rotate_360,type_eA",
            "convert,target_txt",
            "convert,target_png,source_xlsx,pages_MSwyLDQtMTA",
        ] {
            let action = parsed(text);
            assert_eq!(action.to_string(), format!("doc/{text}"));
        }
        assert_eq!(DocAction::parse("watermark,x_1").unwrap(), None);
        assert!(matches!(
            DocAction::parse("translate,language_en_US,content_eA"),
            Ok(Some(DocAction::Ai(_)))
        ));
    }

    #[test]
    fn parse_errors_name_the_parameter() {
        for (text, expected) in [
            ("snapshot", "doc/snapshot.target: is required"),
            (
                "snapshot,target_gif",
                "doc/snapshot.target: must be one of jpg, png",
            ),
            (
                "snapshot,target_png,page_0",
                "doc/snapshot.page: must be 1..=2000",
            ),
            (
                "snapshot,target_png,page_2001",
                "doc/snapshot.page: must be 1..=2000",
            ),
            ("snapshot,target_png,pages_1", "has no parameter \"pages\""),
            ("preview,print_2", "doc/preview.print: must be 0 or 1"),
            (
                "preview/watermark,size_10",
                "doc/preview.watermark.text: is required",
            ),
            (
                "preview/watermark,text_eA,t_101",
                "doc/preview.watermark.t: must be 0..=100",
            ),
            (
                "edit/watermark,text_eA,rotate_361",
                "doc/edit.watermark.rotate: must be 0..=360",
            ),
            (
                "preview/watermark,text_eA,color_#FFFFFF",
                "doc/preview.watermark.color",
            ),
            ("preview/resize,w_1", "takes only /watermark"),
            (
                "convert,target_png/watermark,text_eA",
                "takes no chained action",
            ),
            ("convert,source_docx", "doc/convert.target: is required"),
            (
                "convert,target_docx",
                "doc/convert.target: must be one of pdf, png, jpg, txt",
            ),
            ("convert,target_pdf,pages_MSwy=LA", "doc/convert.pages"),
            ("convert,target_pdf,pages_MC0x", "doc/convert.pages"),
        ] {
            let err = DocAction::parse(text).unwrap_err().to_string();
            assert!(err.contains(expected), "{text}: {err}");
        }
    }
}
