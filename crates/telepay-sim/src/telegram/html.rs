//! `parse_mode=HTML`: turns marked-up text into plain text plus entities, refusing
//! what Telegram refuses, with Telegram's wording.

use serde_json::{Value, json};

/// Plain text and the entities Telegram would attach to it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Parsed {
    pub(crate) text: String,
    pub(crate) entities: Vec<Value>,
}

const TAGS: &[&str] = &[
    "a",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "tg-spoiler",
    "tg-emoji",
    "span",
    "pre",
    "code",
    "blockquote",
];

struct Open {
    tag: String,
    arg: String,
    start: usize,
}

/// Parses `src`; on error returns the text after `can't parse entities: `.
pub(crate) fn parse(src: &str, strict_ampersand: bool) -> Result<Parsed, String> {
    let bytes = src.as_bytes();
    let mut text = String::with_capacity(src.len());
    let mut offset = 0usize; // UTF-16 units emitted so far
    let mut stack: Vec<Open> = Vec::new();
    let mut entities = Vec::new();
    let mut i = 0usize;
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'&') => match decode_entity(src, i)? {
                Some((ch, next)) => {
                    text.push(ch);
                    offset += ch.len_utf16();
                    i = next;
                }
                None if strict_ampersand => {
                    return Err(format!("Unescaped \"&\" at byte offset {i}; use &amp;"));
                }
                None => {
                    text.push('&');
                    offset += 1;
                    i += 1;
                }
            },
            Some(b'<') if bytes.get(i + 1) == Some(&b'/') => {
                i = close_tag(src, i, &mut stack, offset, &mut entities)?;
            }
            Some(b'<') => {
                let (open, next) = open_tag(src, i, offset)?;
                stack.push(open);
                i = next;
            }
            _ => {
                let ch = src
                    .get(i..)
                    .and_then(|rest| rest.chars().next())
                    .ok_or("invalid UTF-8")?;
                text.push(ch);
                offset += ch.len_utf16();
                i += ch.len_utf8();
            }
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!(
            "Can't find end tag corresponding to start tag \"{}\"",
            open.tag
        ));
    }
    entities.sort_by_key(|e: &Value| {
        let off = e.get("offset").and_then(Value::as_u64).unwrap_or(0);
        let len = e.get("length").and_then(Value::as_u64).unwrap_or(0);
        (off, u64::MAX - len)
    });
    Ok(Parsed { text, entities })
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Decodes `&name;` / `&#N;` / `&#xH;` at `i`; `None` if it is not an entity.
fn decode_entity(src: &str, i: usize) -> Result<Option<(char, usize)>, String> {
    let rest = src.get(i + 1..).unwrap_or("");
    let Some(semi) = rest.find(';').filter(|p| *p <= 10) else {
        return Ok(None);
    };
    let name = rest.get(..semi).unwrap_or("");
    let code = if let Some(num) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
        u32::from_str_radix(num, 16).ok()
    } else if let Some(num) = name.strip_prefix('#') {
        num.parse::<u32>().ok()
    } else {
        match name {
            "lt" => Some(u32::from('<')),
            "gt" => Some(u32::from('>')),
            "amp" => Some(u32::from('&')),
            "quot" => Some(u32::from('"')),
            _ => None,
        }
    };
    let Some(code) = code else { return Ok(None) };
    match char::from_u32(code) {
        Some(ch) if code != 0 => Ok(Some((ch, i + 1 + semi + 1))),
        _ => Err(
            "Text contains invalid Unicode characters after decoding HTML entities, check for \
                  unmatched surrogate code units"
                .to_owned(),
        ),
    }
}

fn open_tag(src: &str, begin: usize, offset: usize) -> Result<(Open, usize), String> {
    let bytes = src.as_bytes();
    let at = |k: usize| bytes.get(k).copied();
    let mut i = begin + 1;
    while at(i).is_some_and(|b| !is_space(b) && b != b'>') {
        i += 1;
    }
    if at(i).is_none() {
        return Err(format!("Unclosed start tag at byte offset {begin}"));
    }
    let tag = src.get(begin + 1..i).unwrap_or("").to_ascii_lowercase();
    if !TAGS.contains(&tag.as_str()) {
        return Err(format!(
            "Unsupported start tag \"{tag}\" at byte offset {begin}"
        ));
    }
    let mut arg = String::new();
    let mut span_class_ok = false;
    loop {
        while at(i).is_some_and(is_space) {
            i += 1;
        }
        match at(i) {
            Some(b'>') => break,
            None => {
                return Err(format!(
                    "Unclosed start tag \"{tag}\" at byte offset {begin}"
                ));
            }
            Some(_) => {}
        }
        let name_start = i;
        while at(i).is_some_and(|b| !is_space(b) && b != b'=' && b != b'>') {
            i += 1;
        }
        let attr = src.get(name_start..i).unwrap_or("").to_ascii_lowercase();
        if attr.is_empty() {
            return Err(format!(
                "Empty attribute name in the tag \"{tag}\" at byte offset {begin}"
            ));
        }
        while at(i).is_some_and(is_space) {
            i += 1;
        }
        if at(i) != Some(b'=') {
            if tag == "blockquote" && attr == "expandable" {
                arg = "expandable".to_owned();
                continue;
            }
            return Err(format!(
                "Expected equal sign in declaration of an attribute of the tag \"{tag}\" at byte offset {begin}"
            ));
        }
        i += 1;
        while at(i).is_some_and(is_space) {
            i += 1;
        }
        let value = match at(i) {
            None => {
                return Err(format!(
                    "Unclosed start tag \"{tag}\" at byte offset {begin}"
                ));
            }
            Some(q @ (b'"' | b'\'')) => {
                let rest = src.get(i + 1..).unwrap_or("");
                let Some(end) = rest.find(char::from(q)) else {
                    return Err(format!("Unclosed start tag at byte offset {begin}"));
                };
                let raw = rest.get(..end).unwrap_or("");
                i += 1 + end + 1;
                decode_attr(raw)?
            }
            Some(_) => {
                let start = i;
                while at(i).is_some_and(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-') {
                    i += 1;
                }
                if at(i).is_some_and(|b| !is_space(b) && b != b'>') {
                    return Err(format!("Unexpected end of name token at byte offset {i}"));
                }
                src.get(start..i).unwrap_or("").to_owned()
            }
        };
        match (tag.as_str(), attr.as_str()) {
            ("a", "href") | ("tg-emoji", "emoji-id") => arg = value,
            ("pre" | "code", "class") => {
                arg = value
                    .strip_prefix("language-")
                    .unwrap_or_default()
                    .to_owned();
            }
            ("span", "class") => span_class_ok = value == "tg-spoiler",
            _ => {}
        }
    }
    if tag == "span" && !span_class_ok {
        return Err(format!(
            "Tag \"span\" must have class \"tg-spoiler\" at byte offset {begin}"
        ));
    }
    if tag == "tg-emoji" && (arg.is_empty() || !arg.bytes().all(|b| b.is_ascii_digit())) {
        return Err("Invalid custom emoji identifier specified".to_owned());
    }
    Ok((
        Open {
            tag,
            arg,
            start: offset,
        },
        i + 1,
    ))
}

fn decode_attr(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while let Some(ch) = raw.get(i..).and_then(|r| r.chars().next()) {
        if ch == '&'
            && let Some((decoded, next)) = decode_entity(raw, i)?
        {
            out.push(decoded);
            i = next;
            continue;
        }
        out.push(ch);
        i += ch.len_utf8();
    }
    Ok(out)
}

fn close_tag(
    src: &str,
    begin: usize,
    stack: &mut Vec<Open>,
    offset: usize,
    entities: &mut Vec<Value>,
) -> Result<usize, String> {
    let rest = src.get(begin + 2..).unwrap_or("");
    let Some(end) = rest.find('>') else {
        return Err(if stack.is_empty() {
            format!("Unexpected end tag at byte offset {begin}")
        } else {
            format!("Unclosed end tag at byte offset {begin}")
        });
    };
    let name = rest.get(..end).unwrap_or("").trim().to_ascii_lowercase();
    let Some(open) = stack.pop() else {
        return Err(format!("Unexpected end tag at byte offset {begin}"));
    };
    if !name.is_empty() && name != open.tag {
        return Err(format!(
            "Unmatched end tag at byte offset {begin}, expected \"</{}>\", found \"</{name}>\"",
            open.tag
        ));
    }
    let length = offset - open.start;
    // `<pre><code class="language-x">…</code></pre>` is one pre entity with a language.
    if open.tag == "code"
        && let Some(pre) = stack
            .last_mut()
            .filter(|o| o.tag == "pre" && o.start == open.start)
    {
        if !open.arg.is_empty() {
            pre.arg = open.arg;
        }
        return Ok(begin + 2 + end + 1);
    }
    if length > 0 {
        push_entity(&open, length, entities);
    }
    Ok(begin + 2 + end + 1)
}

fn push_entity(open: &Open, length: usize, entities: &mut Vec<Value>) {
    let base = |kind: &str| json!({"type": kind, "offset": open.start, "length": length});
    let entity = match open.tag.as_str() {
        "b" | "strong" => base("bold"),
        "i" | "em" => base("italic"),
        "u" | "ins" => base("underline"),
        "s" | "strike" | "del" => base("strikethrough"),
        "tg-spoiler" | "span" => base("spoiler"),
        "a" if open.arg.is_empty() => return,
        "a" => {
            json!({"type": "text_link", "offset": open.start, "length": length, "url": open.arg})
        }
        "tg-emoji" => json!({"type": "custom_emoji", "offset": open.start, "length": length,
                             "custom_emoji_id": open.arg}),
        "code" => base("code"),
        "pre" if open.arg.is_empty() => base("pre"),
        "pre" => {
            json!({"type": "pre", "offset": open.start, "length": length, "language": open.arg})
        }
        "blockquote" if open.arg == "expandable" => base("expandable_blockquote"),
        "blockquote" => base("blockquote"),
        _ => return,
    };
    entities.push(entity);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> String {
        parse(src, true).unwrap_err()
    }

    #[test]
    fn entities_and_text() {
        let p = parse(
            "<b>Pay</b> 5 &lt;USDT&gt; <a href=\"https://x.io/?a=1&amp;b=2\">here</a> 🙂 <i>ok</i>",
            true,
        )
        .unwrap();
        assert_eq!(p.text, "Pay 5 <USDT> here 🙂 ok");
        assert_eq!(p.entities[0], json!({"type":"bold","offset":0,"length":3}));
        assert_eq!(p.entities[1]["url"], "https://x.io/?a=1&b=2");
        // The emoji is two UTF-16 units, so "ok" starts at 21.
        assert_eq!(
            p.entities[2],
            json!({"type":"italic","offset":21,"length":2})
        );
        let pre = parse(
            "<pre><code class=\"language-rust\">fn x()</code></pre>",
            true,
        )
        .unwrap();
        assert_eq!(
            pre.entities,
            vec![json!({"type":"pre","offset":0,"length":6,"language":"rust"})]
        );
    }

    #[test]
    fn refusals_use_telegram_wording() {
        assert_eq!(err("a < b"), "Unsupported start tag \"\" at byte offset 2");
        assert_eq!(err("x <b"), "Unclosed start tag at byte offset 2");
        assert_eq!(err("<br>"), "Unsupported start tag \"br\" at byte offset 0");
        assert_eq!(
            err("<b>x</i>"),
            "Unmatched end tag at byte offset 4, expected \"</b>\", found \"</i>\""
        );
        assert_eq!(
            err("<b>x"),
            "Can't find end tag corresponding to start tag \"b\""
        );
        assert_eq!(err("x</b>"), "Unexpected end tag at byte offset 1");
        assert_eq!(
            err("<span>x</span>"),
            "Tag \"span\" must have class \"tg-spoiler\" at byte offset 0"
        );
        assert!(err("Tom & Jerry").starts_with("Unescaped \"&\""));
        assert_eq!(parse("Tom & Jerry", false).unwrap().text, "Tom & Jerry");
        assert!(parse("<blockquote expandable>q</blockquote>", true).is_ok());
    }
}
