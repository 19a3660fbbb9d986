//! What the test server answers: a [`Reply`], from a plain response to a
//! hostile one. A reply is built from a response ([`Reply::with`],
//! [`Reply::xml_error`], [`Reply::process_ok`], ...) and shaped by methods
//! that say how it goes on the wire: [`Reply::delay`],
//! [`Reply::drip_head`], [`Reply::drip_body`], [`Reply::silent_after_head`],
//! [`Reply::cut_after`], [`Reply::reset_after`], [`Reply::then_close`].
//! [`Reply::Reset`], [`Reply::CloseBeforeHeaders`], [`Reply::Silent`],
//! [`Reply::bytes`] and [`Reply::Endless`] answer nothing usable at all.

use std::time::Duration;

/// What the server does with one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A complete response (`Content-Length` is added).
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Close the connection (FIN) without answering.
    CloseBeforeHeaders,
    /// Send the headers announcing `declared_len` bytes, then `sent`, then
    /// close (FIN): a cut. [`Reply::reset_after`] resets instead.
    ResetMidBody {
        status: u16,
        declared_len: usize,
        sent: Vec<u8>,
    },
    /// Send the headers, then the body one byte every `interval`.
    Drip {
        status: u16,
        body: Vec<u8>,
        interval: Duration,
    },
    /// Never answer (until the client gives up or the server stops).
    Silent,
    /// A chunked body that never ends (until the client gives up).
    Endless { status: u16 },
    /// Reset the connection (RST) without answering.
    Reset,
    /// A response or raw bytes, shaped on the wire (built by the methods).
    Wire(Wire),
}

/// A reply as it goes on the wire: what is sent, at what pace, and how the
/// connection ends. Built by [`Reply`]'s shaping methods.
#[derive(Debug, Clone)]
pub struct Wire {
    delay: Duration,
    head: Head,
    body: Vec<u8>,
    head_interval: Option<Duration>,
    body_interval: Option<Duration>,
    /// Body bytes sent before `end` (all when `None`).
    body_sent: Option<usize>,
    end: End,
}

/// The head of a [`Wire`].
#[derive(Debug, Clone)]
enum Head {
    /// A status line and headers; `Content-Length` is the body's length
    /// unless `declared` says otherwise.
    Http {
        status: u16,
        headers: Vec<(String, String)>,
        declared: Option<usize>,
    },
    /// Nothing but the body's bytes.
    None,
}

/// How the connection goes on after a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    /// Kept open for the next request.
    KeepAlive,
    /// Closed (FIN).
    Close,
    /// Reset (RST).
    Reset,
    /// Held open, silent, until the server stops.
    Silent,
}

impl Reply {
    /// A response with a body and `Content-Type`.
    pub fn with(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    /// A JSON response.
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::with(status, "application/json", body)
    }

    /// A 200 JSON process_object result.
    pub fn process_ok(bucket: &str, key: &str, size: u64, request_id: &str) -> Reply {
        Reply::process_status(bucket, key, size, request_id, "OK")
    }

    /// A 200 JSON process_object result whose `status` is `status` (OSS
    /// says `OK`; anything else is a failure inside a 200).
    pub fn process_status(
        bucket: &str,
        key: &str,
        size: u64,
        request_id: &str,
        status: &str,
    ) -> Reply {
        Reply::json(
            200,
            format!(
                r#"{{"bucket": "{bucket}", "fileSize": {size}, "object": "{key}", "status": "{status}"}}"#
            ),
        )
        .header("x-oss-request-id", request_id)
    }

    /// A 200 JSON async_process_object result (the task is queued).
    pub fn async_ok(request_id: &str) -> Reply {
        Reply::json(
            200,
            format!(
                r#"{{"EventId": "181-kit{request_id}", "RequestId": "{request_id}", "TaskId": "AsyncProcess-kit-{request_id}"}}"#
            ),
        )
        .header("x-oss-request-id", request_id)
    }

    /// A 200 HTML page, as a captive portal or a misconfigured proxy
    /// answers.
    pub fn html_page() -> Reply {
        Reply::with(
            200,
            "text/html; charset=utf-8",
            "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><p>Sign in to the network.</p></body></html>\n",
        )
    }

    /// An OSS XML error.
    pub fn xml_error(status: u16, code: &str, message: &str, request_id: &str, ec: &str) -> Reply {
        Reply::xml_error_with(status, code, message, request_id, ec, &[])
    }

    /// An OSS XML error with extra children after `HostId`.
    pub fn xml_error_with(
        status: u16,
        code: &str,
        message: &str,
        request_id: &str,
        ec: &str,
        details: &[(&str, &str)],
    ) -> Reply {
        let details: String = details
            .iter()
            .map(|(n, v)| format!("  <{n}>{v}</{n}>\n"))
            .collect();
        Reply::Respond {
            status,
            headers: vec![
                ("Content-Type".into(), "application/xml".into()),
                ("x-oss-request-id".into(), request_id.into()),
                ("x-oss-ec".into(), ec.into()),
            ],
            body: format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>{code}</Code>\n  <Message>{message}</Message>\n  <RequestId>{request_id}</RequestId>\n  <HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId>\n{details}  <EC>{ec}</EC>\n  <RecommendDoc>https://api.aliyun.com/troubleshoot?q={ec}</RecommendDoc>\n</Error>\n"
            )
            .into_bytes(),
        }
    }

    /// Exactly these bytes, no status line or headers added, then close.
    pub fn bytes(bytes: impl Into<Vec<u8>>) -> Reply {
        Reply::Wire(Wire {
            delay: Duration::ZERO,
            head: Head::None,
            body: bytes.into(),
            head_interval: None,
            body_interval: None,
            body_sent: None,
            end: End::Close,
        })
    }

    /// Adds a header (to a response; ignored by replies without a head).
    pub fn header(self, name: &str, value: &str) -> Reply {
        let mut wire = self.into_wire();
        if let Head::Http { headers, .. } = &mut wire.head {
            headers.push((name.into(), value.into()));
        }
        Reply::Wire(wire).simplify()
    }

    /// Pads the body with spaces to `len` bytes (an oversized error body
    /// whose first bytes still hold the Code and RequestId).
    pub fn pad_body_to(self, len: usize) -> Reply {
        self.shape(|w| {
            if w.body.len() < len {
                w.body.resize(len, b' ');
            }
        })
    }

    /// Waits `d` before sending anything (a slow answer; the request has
    /// reached the server meanwhile).
    pub fn delay(self, d: Duration) -> Reply {
        self.shape(|w| w.delay = d)
    }

    /// Sends the head one byte every `interval`.
    pub fn drip_head(self, interval: Duration) -> Reply {
        self.shape(|w| w.head_interval = Some(interval))
    }

    /// Sends the body one byte every `interval`.
    pub fn drip_body(self, interval: Duration) -> Reply {
        self.shape(|w| w.body_interval = Some(interval))
    }

    /// Sends the head (announcing the whole body), then nothing, holding
    /// the connection open until the server stops.
    pub fn silent_after_head(self) -> Reply {
        self.shape(|w| {
            w.body_sent = Some(0);
            w.end = End::Silent;
        })
    }

    /// Sends the head (announcing the whole body) and the first `n` body
    /// bytes, then closes (FIN).
    pub fn cut_after(self, n: usize) -> Reply {
        self.shape(|w| {
            w.body_sent = Some(n);
            w.end = End::Close;
        })
    }

    /// Sends the head (announcing the whole body) and the first `n` body
    /// bytes, then resets the connection (RST).
    pub fn reset_after(self, n: usize) -> Reply {
        self.shape(|w| {
            w.body_sent = Some(n);
            w.end = End::Reset;
        })
    }

    /// Closes the connection after the reply instead of keeping it open.
    pub fn then_close(self) -> Reply {
        self.shape(|w| w.end = End::Close)
    }

    /// The HTTP status this reply answers with, if it answers with one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Reply::Respond { status, .. }
            | Reply::ResetMidBody { status, .. }
            | Reply::Drip { status, .. }
            | Reply::Endless { status } => Some(*status),
            Reply::Wire(Wire {
                head: Head::Http { status, .. },
                ..
            }) => Some(*status),
            _ => None,
        }
    }

    fn shape(self, f: impl FnOnce(&mut Wire)) -> Reply {
        let mut wire = self.into_wire();
        f(&mut wire);
        Reply::Wire(wire)
    }

    /// A plain keep-alive response stays a `Respond` (so tests can match it).
    fn simplify(self) -> Reply {
        match self {
            Reply::Wire(Wire {
                delay: Duration::ZERO,
                head:
                    Head::Http {
                        status,
                        headers,
                        declared: None,
                    },
                body,
                head_interval: None,
                body_interval: None,
                body_sent: None,
                end: End::KeepAlive,
            }) => Reply::Respond {
                status,
                headers,
                body,
            },
            other => other,
        }
    }

    /// This reply as a [`Wire`]. Panics for [`Reply::Endless`], which has
    /// no fixed bytes to shape.
    pub(crate) fn into_wire(self) -> Wire {
        let http = |status, headers, declared| Head::Http {
            status,
            headers,
            declared,
        };
        let json = || vec![("Content-Type".to_string(), "application/json".to_string())];
        let plain = |head, body, end| Wire {
            delay: Duration::ZERO,
            head,
            body,
            head_interval: None,
            body_interval: None,
            body_sent: None,
            end,
        };
        match self {
            Reply::Respond {
                status,
                headers,
                body,
            } => plain(http(status, headers, None), body, End::KeepAlive),
            Reply::CloseBeforeHeaders => plain(Head::None, Vec::new(), End::Close),
            Reply::Reset => plain(Head::None, Vec::new(), End::Reset),
            Reply::Silent => plain(Head::None, Vec::new(), End::Silent),
            Reply::ResetMidBody {
                status,
                declared_len,
                sent,
            } => plain(http(status, json(), Some(declared_len)), sent, End::Close),
            Reply::Drip {
                status,
                body,
                interval,
            } => Wire {
                body_interval: Some(interval),
                ..plain(http(status, json(), None), body, End::KeepAlive)
            },
            Reply::Wire(wire) => wire,
            Reply::Endless { .. } => panic!("an Endless reply cannot be shaped"),
        }
    }
}

impl Wire {
    /// The time to wait before the first byte.
    pub(crate) fn delay(&self) -> Duration {
        self.delay
    }

    /// How the connection goes on afterwards.
    pub(crate) fn end(&self) -> End {
        self.end
    }

    /// The head's bytes, with `extra` headers added (the server's `Date`).
    pub(crate) fn head_bytes(&self, extra: &[(String, String)]) -> Vec<u8> {
        let Head::Http {
            status,
            headers,
            declared,
        } = &self.head
        else {
            return Vec::new();
        };
        let mut head = status_line(*status);
        for (n, v) in headers.iter().chain(extra) {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        let len = declared.unwrap_or(self.body.len());
        head.push_str(&format!("Content-Length: {len}\r\n\r\n"));
        head.into_bytes()
    }

    /// The body bytes that are sent.
    pub(crate) fn body_sent(&self) -> &[u8] {
        &self.body[..self
            .body_sent
            .unwrap_or(self.body.len())
            .min(self.body.len())]
    }

    /// The pace of the head and of the body (`None`: at once).
    pub(crate) fn intervals(&self) -> (Option<Duration>, Option<Duration>) {
        (self.head_interval, self.body_interval)
    }
}

/// `HTTP/1.1 <status> <reason>\r\n`.
pub(crate) fn status_line(status: u16) -> String {
    let reason = match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    };
    format!("HTTP/1.1 {status} {reason}\r\n")
}
