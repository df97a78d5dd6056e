//! A small `multipart/form-data` reader, enough for what HTTP clients send to the
//! Bot API (axum's `Multipart` needs a crate feature the product does not enable).

use super::UploadedFile;
use super::params::{MethodError, Params};

/// Extracts the boundary from a `Content-Type` header value.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').map(str::trim).find_map(|part| {
        let (key, value) = part.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// Parses a multipart body: parts with a `filename` become files, the rest strings.
pub(crate) fn parse(body: &[u8], boundary: &str) -> Result<Params, MethodError> {
    let malformed = || MethodError::bad("can't parse multipart/form-data request");
    let delimiter = format!("--{boundary}").into_bytes();
    let mut params = Params::default();
    let mut pos = find(body, &delimiter, 0).ok_or_else(malformed)? + delimiter.len();
    loop {
        // After a delimiter comes either `--` (the end) or CRLF and a part.
        if body.get(pos..pos + 2) == Some(b"--") {
            return Ok(params);
        }
        pos = skip_crlf(body, pos);
        let head_end = find(body, b"\r\n\r\n", pos).ok_or_else(malformed)?;
        let head =
            String::from_utf8_lossy(body.get(pos..head_end).ok_or_else(malformed)?).into_owned();
        let content_start = head_end + 4;
        let mut closing = b"\r\n".to_vec();
        closing.extend_from_slice(&delimiter);
        let content_end = find(body, &closing, content_start).ok_or_else(malformed)?;
        let content = body.get(content_start..content_end).ok_or_else(malformed)?;
        add_part(&mut params, &head, content).ok_or_else(malformed)?;
        pos = content_end + closing.len();
    }
}

fn add_part(params: &mut Params, head: &str, content: &[u8]) -> Option<()> {
    let mut name = None;
    let mut file_name = None;
    let mut content_type = None;
    for line in head.split("\r\n") {
        let (key, value) = line.split_once(':')?;
        if key.trim().eq_ignore_ascii_case("content-disposition") {
            for attr in value.split(';').map(str::trim) {
                if let Some((k, v)) = attr.split_once('=') {
                    let v = v.trim().trim_matches('"').to_owned();
                    match k.trim() {
                        "name" => name = Some(v),
                        "filename" => file_name = Some(v),
                        _ => {}
                    }
                }
            }
        } else if key.trim().eq_ignore_ascii_case("content-type") {
            content_type = Some(value.trim().to_owned());
        }
    }
    let field = name?;
    match file_name {
        Some(file_name) => params.files.push(UploadedFile {
            field,
            file_name: (!file_name.is_empty()).then_some(file_name),
            content_type,
            bytes: content.to_vec(),
        }),
        None => params.insert_str(&field, &String::from_utf8_lossy(content)),
    }
    Some(())
}

fn skip_crlf(body: &[u8], pos: usize) -> usize {
    if body.get(pos..pos + 2) == Some(b"\r\n") {
        pos + 2
    } else {
        pos
    }
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let tail = haystack.get(from..)?;
    tail.windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_text_and_file_parts() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n42\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"document\"\r\n\r\nattach://f1\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"f1\"; filename=\"r.csv\"\r\nContent-Type: text/csv\r\n\r\na,b\r\n1,2\r\n--XyZ--\r\n";
        let params = parse(body, "XyZ").unwrap();
        assert_eq!(params.str_opt("chat_id").as_deref(), Some("42"));
        let file = params.file_for("document").unwrap();
        assert_eq!(file.file_name.as_deref(), Some("r.csv"));
        assert_eq!(file.bytes, b"a,b\r\n1,2");
        assert_eq!(
            boundary("multipart/form-data; boundary=\"XyZ\"").as_deref(),
            Some("XyZ")
        );
    }
}
