//! Document AI on the client: [`Client::doc_ai`] and its six shorthands
//! (`doc_translate`, `doc_polish`, `doc_summarize`, `doc_continue`,
//! `doc_enrich`, `doc_rephrase`), answered as JSON, and
//! [`Client::doc_ai_events`], the event-stream form read as it comes.
//! Each is a synchronous POST; the key only selects the bucket (whose IMM
//! project does the work); the text is checked (1 to 19,500 bytes) before
//! any I/O.

use crate::error::Error;
use crate::process::{DocAi, DocLanguage, DocTone, Process};
use crate::response::decode_error;
use crate::response::doc_ai::{DocAiAnswer, DocAiEvents, parse_doc_ai};

use super::Client;
use super::answer::Kind;
use super::request::ProcessKind;
use super::send::header;

impl Client {
    /// Runs a document AI action on its text and returns the JSON answer
    /// (`POST /<key>?x-oss-process`, `doc/<action>,...,content_<base64>`).
    /// `request`'s format is set to JSON (use
    /// [`doc_ai_events`](Self::doc_ai_events) for the event stream). An
    /// answer that comes as an event stream anyway is read to its last
    /// event; one that is neither is [`Error::Decode`] naming its
    /// `Content-Type`, never parsed as JSON.
    ///
    /// ```no_run
    /// # fn demo(client: &oss_process::Client) -> Result<(), oss_process::Error> {
    /// use oss_process::process::{DocAi, DocTone};
    ///
    /// let answer = client.doc_ai("examplebucket", "any.txt", DocAi::rephrase("Hi there.", DocTone::Professional))?;
    /// println!("{}", answer.text());
    /// # Ok(()) }
    /// ```
    pub fn doc_ai(&self, bucket: &str, key: &str, request: DocAi) -> Result<DocAiAnswer, Error> {
        let process = Process::doc()
            .ai(DocAi {
                format: None,
                ..request
            })
            .build()?;
        let mut prepared = self.prepare_post(bucket, key, ProcessKind::Sync, process.as_str())?;
        prepared.streaming = true;
        let target = prepared.describe();
        self.execute(&prepared, |_, request_id, mut response| {
            let content_type = header(&response, "content-type").unwrap_or("").to_string();
            match Kind::of(&content_type) {
                Kind::Json => {
                    let body = self.read_capped(&mut response, request_id, &target)?;
                    parse_doc_ai(request_id, &body)
                }
                Kind::Events => {
                    let body = self.download(response, request_id, &target, false)?;
                    DocAiEvents::new(self.event_stream(body)).finish()
                }
                _ => Err(not_doc_ai(&target, &content_type, request_id)),
            }
        })
    }

    /// Runs a document AI action and returns its answer as an event stream
    /// (`format_event-stream`), read as it comes: each item holds the
    /// whole text so far, the last one a `FinishReason`. A stream cut
    /// midway yields an error, never a quiet end. The body has the client's
    /// download deadline and cap.
    ///
    /// ```no_run
    /// # fn demo(client: &oss_process::Client) -> Result<(), oss_process::Error> {
    /// use oss_process::process::{DocAi, DocLanguage};
    ///
    /// let events = client.doc_ai_events("examplebucket", "any.txt", DocAi::translate("你好", DocLanguage::EnUs))?;
    /// let finished = events.finish()?; // or iterate to show the text as it grows
    /// println!("{}", finished.text());
    /// # Ok(()) }
    /// ```
    pub fn doc_ai_events(
        &self,
        bucket: &str,
        key: &str,
        request: DocAi,
    ) -> Result<DocAiEvents, Error> {
        let process = Process::doc().ai(request.events()).build()?;
        let mut prepared = self.prepare_post(bucket, key, ProcessKind::Sync, process.as_str())?;
        prepared.streaming = true;
        let target = prepared.describe();
        self.execute(&prepared, |_, request_id, response| {
            let content_type = header(&response, "content-type").unwrap_or("").to_string();
            if Kind::of(&content_type) != Kind::Events {
                return Err(decode_error(
                    format!(
                        "the answer to {target} is {content_type:?}, not the event stream asked for (text/event-stream)"
                    ),
                    request_id,
                    None,
                ));
            }
            let body = self.download(response, request_id, &target, false)?;
            Ok(DocAiEvents::new(self.event_stream(body)))
        })
    }

    /// `doc/translate`: `text` translated into `language`.
    ///
    /// ```no_run
    /// # fn demo(client: &oss_process::Client) -> Result<(), oss_process::Error> {
    /// use oss_process::process::DocLanguage;
    ///
    /// let english = client.doc_translate("examplebucket", "any.txt", "你好，世界", DocLanguage::EnUs)?;
    /// assert!(english.is_finished());
    /// # Ok(()) }
    /// ```
    pub fn doc_translate(
        &self,
        bucket: &str,
        key: &str,
        text: impl Into<String>,
        language: DocLanguage,
    ) -> Result<DocAiAnswer, Error> {
        self.doc_ai(bucket, key, DocAi::translate(text, language))
    }

    /// `doc/polish`: `text` made clearer.
    pub fn doc_polish(
        &self,
        bucket: &str,
        key: &str,
        text: impl Into<String>,
    ) -> Result<DocAiAnswer, Error> {
        self.doc_ai(bucket, key, DocAi::polish(text))
    }

    /// `doc/summarize`: a summary of `text`.
    pub fn doc_summarize(
        &self,
        bucket: &str,
        key: &str,
        text: impl Into<String>,
    ) -> Result<DocAiAnswer, Error> {
        self.doc_ai(bucket, key, DocAi::summarize(text))
    }

    /// `doc/continue`: more text after `text`.
    pub fn doc_continue(
        &self,
        bucket: &str,
        key: &str,
        text: impl Into<String>,
    ) -> Result<DocAiAnswer, Error> {
        self.doc_ai(bucket, key, DocAi::continue_writing(text))
    }

    /// `doc/enrich`: `text` in richer words.
    pub fn doc_enrich(
        &self,
        bucket: &str,
        key: &str,
        text: impl Into<String>,
    ) -> Result<DocAiAnswer, Error> {
        self.doc_ai(bucket, key, DocAi::enrich(text))
    }

    /// `doc/rephrase`: `text` rewritten in `tone`.
    pub fn doc_rephrase(
        &self,
        bucket: &str,
        key: &str,
        text: impl Into<String>,
        tone: DocTone,
    ) -> Result<DocAiAnswer, Error> {
        self.doc_ai(bucket, key, DocAi::rephrase(text, tone))
    }
}

/// An answer to document AI that is neither JSON nor an event stream.
fn not_doc_ai(target: &str, content_type: &str, request_id: &str) -> Error {
    decode_error(
        format!(
            "the answer to {target} is {content_type:?}, not document AI JSON or an event stream; it was not read"
        ),
        request_id,
        None,
    )
}
