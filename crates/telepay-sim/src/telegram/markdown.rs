//! `parse_mode=MarkdownV2`: the common subset (bold, italic, underline, strike,
//! spoiler, code, pre, links, quotes) with Telegram's reserved-character rule.

use serde_json::{Value, json};

use super::html::Parsed;

const RESERVED: &str = "_*[]()~`>#+-=|{}.!";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    Bold,
    Italic,
    Underline,
    Strike,
    Spoiler,
    Link,
}

impl Mark {
    fn name(self) -> &'static str {
        match self {
            Self::Bold => "Bold",
            Self::Italic => "Italic",
            Self::Underline => "Underline",
            Self::Strike => "Strikethrough",
            Self::Spoiler => "Spoiler",
            Self::Link => "TextUrl",
        }
    }

    fn entity(self) -> &'static str {
        match self {
            Self::Bold => "bold",
            Self::Italic => "italic",
            Self::Underline => "underline",
            Self::Strike => "strikethrough",
            Self::Spoiler => "spoiler",
            Self::Link => "text_link",
        }
    }
}

struct Cursor<'a> {
    src: &'a str,
    i: usize,
    text: String,
    offset: usize,
}

impl Cursor<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.src.get(self.i..)?.chars().nth(ahead)
    }

    fn emit(&mut self, ch: char) {
        self.text.push(ch);
        self.offset += ch.len_utf16();
    }

    fn advance(&mut self, ch: char) {
        self.i += ch.len_utf8();
    }
}

/// Parses `src`; on error returns the text after `can't parse entities: `.
pub(crate) fn parse(src: &str) -> Result<Parsed, String> {
    let mut c = Cursor {
        src,
        i: 0,
        text: String::new(),
        offset: 0,
    };
    let mut stack: Vec<(Mark, usize, usize)> = Vec::new(); // (mark, utf16 start, byte offset)
    let mut entities = Vec::new();
    let mut line_start = true;
    while let Some(ch) = c.peek(0) {
        let begin = c.i;
        c.advance(ch);
        let was_line_start = line_start;
        line_start = ch == '\n';
        let mark = match ch {
            '\\' => {
                match c.peek(0) {
                    Some(next) if next.is_ascii() && next != '\0' => {
                        c.advance(next);
                        c.emit(next);
                    }
                    _ => c.emit('\\'),
                }
                continue;
            }
            '*' => Mark::Bold,
            '_' if c.peek(0) == Some('_') => {
                c.advance('_');
                Mark::Underline
            }
            '_' => Mark::Italic,
            '~' => Mark::Strike,
            '|' if c.peek(0) == Some('|') => {
                c.advance('|');
                Mark::Spoiler
            }
            '[' => Mark::Link,
            ']' if stack.last().is_some_and(|(m, _, _)| *m == Mark::Link) => {
                let Some((_, start, _)) = stack.pop() else {
                    continue;
                };
                if c.peek(0) != Some('(') {
                    return Err(format!("Can't find end of a URL at byte offset {}", c.i));
                }
                c.advance('(');
                let url = read_until(&mut c, ')')
                    .ok_or_else(|| format!("Can't find end of a URL at byte offset {begin}"))?;
                if c.offset > start {
                    entities.push(json!({"type": "text_link", "offset": start, "length": c.offset - start, "url": url}));
                }
                continue;
            }
            '`' => {
                code(&mut c, begin, &mut entities)?;
                continue;
            }
            '>' if was_line_start => continue,
            other if RESERVED.contains(other) => {
                return Err(format!(
                    "Character '{other}' is reserved and must be escaped with the preceding '\\'"
                ));
            }
            other => {
                c.emit(other);
                continue;
            }
        };
        if mark != Mark::Link
            && let Some(pos) = stack.iter().rposition(|(m, _, _)| *m == mark)
        {
            let (_, start, _) = stack.remove(pos);
            if c.offset > start {
                entities.push(
                    json!({"type": mark.entity(), "offset": start, "length": c.offset - start}),
                );
            }
            continue;
        }
        stack.push((mark, c.offset, begin));
    }
    if let Some((mark, _, at)) = stack.first() {
        return Err(format!(
            "Can't find end of {} entity at byte offset {at}",
            mark.name()
        ));
    }
    entities.sort_by_key(|e: &Value| e.get("offset").and_then(Value::as_u64).unwrap_or(0));
    Ok(Parsed {
        text: c.text,
        entities,
    })
}

/// Reads raw characters up to an unescaped `end`, consuming it.
fn read_until(c: &mut Cursor<'_>, end: char) -> Option<String> {
    let mut out = String::new();
    loop {
        let ch = c.peek(0)?;
        c.advance(ch);
        if ch == '\\' {
            let next = c.peek(0)?;
            c.advance(next);
            out.push(next);
        } else if ch == end {
            return Some(out);
        } else {
            out.push(ch);
        }
    }
}

fn code(c: &mut Cursor<'_>, begin: usize, entities: &mut Vec<Value>) -> Result<(), String> {
    let start = c.offset;
    if c.peek(0) == Some('`') && c.peek(1) == Some('`') {
        c.advance('`');
        c.advance('`');
        let rest = c.src.get(c.i..).unwrap_or("");
        let close = rest
            .find("```")
            .ok_or_else(|| format!("Can't find end of Pre entity at byte offset {begin}"))?;
        let body = rest.get(..close).unwrap_or("");
        let (language, content) = match body.split_once('\n') {
            Some((first, content)) if !first.contains(' ') && !first.is_empty() => {
                (Some(first), content)
            }
            Some(("", content)) => (None, content),
            _ => (None, body),
        };
        for ch in content.chars() {
            c.emit(ch);
        }
        c.i += close + 3;
        let mut entity = json!({"type": "pre", "offset": start, "length": c.offset - start});
        if let (Some(lang), Some(obj)) = (language, entity.as_object_mut()) {
            obj.insert("language".to_owned(), json!(lang));
        }
        entities.push(entity);
        return Ok(());
    }
    let content = read_until(c, '`')
        .ok_or_else(|| format!("Can't find end of Code entity at byte offset {begin}"))?;
    for ch in content.chars() {
        c.emit(ch);
    }
    if c.offset > start {
        entities.push(json!({"type": "code", "offset": start, "length": c.offset - start}));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        let p = parse("*Pay* 5\\.00 [here](https://x\\.io) `a.b`").unwrap();
        assert_eq!(p.text, "Pay 5.00 here a.b");
        assert_eq!(p.entities.len(), 3);
        assert_eq!(
            parse("Price 5.00").unwrap_err(),
            "Character '.' is reserved and must be escaped with the preceding '\\'"
        );
        assert_eq!(
            parse("*bold").unwrap_err(),
            "Can't find end of Bold entity at byte offset 0"
        );
    }
}
