//! Response overrides of GET answers: `response-content-type` and
//! `response-content-disposition` in the query (signed with it, so a
//! presigned URL fixes them) set the answer's `Content-Type` and
//! `Content-Disposition`, as OSS does for GetObject and processed GETs.

use crate::encoding::percent_decode;

use super::router::query_params;
use super::server::Response;

/// The overrides `query` asks for, decoded: (header, value).
fn requested(query: &str) -> Vec<(&'static str, String)> {
    let mut headers = Vec::new();
    for (raw_name, raw_value) in query_params(query) {
        let header = match raw_name {
            "response-content-type" => "Content-Type",
            "response-content-disposition" => "Content-Disposition",
            _ => continue,
        };
        let value = percent_decode(&raw_value.replace('+', "%20")).unwrap_or_default();
        // A header value holds no control characters.
        if !value.is_empty() && !value.chars().any(char::is_control) {
            headers.push((header, value));
        }
    }
    headers
}

/// `response` with the overrides of `query` applied, when it is a success.
pub(crate) fn apply(query: &str, mut response: Response) -> Response {
    if !(200..300).contains(&response.status) {
        return response;
    }
    for (header, value) in requested(query) {
        response
            .headers
            .retain(|(name, _)| !name.eq_ignore_ascii_case(header));
        response.headers.push((header.to_string(), value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_replace_the_headers_of_successes_only() {
        let query = "x-oss-process=doc%2Fpreview&response-content-type=text%2Fhtml&response-content-disposition=inline%3B%20filename%3D%22a.html%22";
        let ok = apply(
            query,
            Response::new(200).header("Content-Type", "application/octet-stream"),
        );
        let headers: Vec<(&str, &str)> = ok
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            headers,
            [
                ("Content-Type", "text/html"),
                ("Content-Disposition", "inline; filename=\"a.html\"")
            ]
        );
        let error = apply(
            query,
            Response::new(404).header("Content-Type", "application/xml"),
        );
        assert_eq!(
            error.headers,
            [("Content-Type".to_string(), "application/xml".to_string())]
        );
        let bad = apply("response-content-type=a%0Db", Response::new(200));
        assert!(bad.headers.is_empty());
    }
}
