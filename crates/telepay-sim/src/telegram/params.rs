//! Request parameters (JSON, form or multipart) and Bot API error replies.

use serde_json::{Map, Value};

use super::UploadedFile;

/// An error reply: HTTP status = `code`, body `{"ok":false,...}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MethodError {
    pub(crate) code: u16,
    pub(crate) description: String,
    pub(crate) retry_after: Option<u32>,
}

impl MethodError {
    pub(crate) fn new(code: u16, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
            retry_after: None,
        }
    }

    /// 400 with the `Bad Request: ` prefix Telegram puts on every 400.
    pub(crate) fn bad(text: &str) -> Self {
        Self::new(400, format!("Bad Request: {text}"))
    }

    /// 403 with the `Forbidden: ` prefix.
    pub(crate) fn forbidden(text: &str) -> Self {
        Self::new(403, format!("Forbidden: {text}"))
    }

    pub(crate) fn too_many(retry_after: u32) -> Self {
        Self {
            code: 429,
            description: format!("Too Many Requests: retry after {retry_after}"),
            retry_after: Some(retry_after),
        }
    }

    pub(crate) fn chat_not_found() -> Self {
        Self::bad("chat not found")
    }

    pub(crate) fn user_not_found() -> Self {
        Self::bad("user not found")
    }
}

pub(crate) type MethodResult = Result<Value, MethodError>;

/// How a request names a chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ChatRef {
    Id(i64),
    Username(String),
}

/// Parameters of one call. Form and multipart values arrive as strings, so every
/// accessor also accepts the string spelling of numbers, booleans and objects.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params {
    pub(crate) map: Map<String, Value>,
    pub(crate) files: Vec<UploadedFile>,
}

impl Params {
    pub(crate) fn from_json(value: Value) -> Result<Self, MethodError> {
        match value {
            Value::Object(map) => Ok(Self {
                map,
                files: Vec::new(),
            }),
            Value::Null => Ok(Self::default()),
            _ => Err(MethodError::bad("parameters must be a JSON object")),
        }
    }

    pub(crate) fn insert_str(&mut self, key: &str, value: &str) {
        self.map
            .insert(key.to_owned(), Value::String(value.to_owned()));
    }

    pub(crate) fn to_value(&self) -> Value {
        Value::Object(self.map.clone())
    }

    fn present(&self, key: &str) -> Option<&Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// A string parameter; numbers are rendered.
    pub(crate) fn str_opt(&self, key: &str) -> Option<String> {
        match self.present(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub(crate) fn i64_opt(&self, key: &str) -> Result<Option<i64>, MethodError> {
        let Some(value) = self.present(key) else {
            return Ok(None);
        };
        let parsed = match value {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        parsed
            .map(Some)
            .ok_or_else(|| MethodError::bad(&format!("field \"{key}\" must be a valid Number")))
    }

    pub(crate) fn i64_req(&self, key: &str) -> Result<i64, MethodError> {
        self.i64_opt(key)?
            .ok_or_else(|| MethodError::bad(&format!("{key} is empty")))
    }

    pub(crate) fn bool_opt(&self, key: &str) -> Result<Option<bool>, MethodError> {
        let Some(value) = self.present(key) else {
            return Ok(None);
        };
        match value {
            Value::Bool(b) => Ok(Some(*b)),
            Value::String(s) if s == "true" || s == "1" => Ok(Some(true)),
            Value::String(s) if s == "false" || s == "0" || s.is_empty() => Ok(Some(false)),
            Value::Number(n) => Ok(Some(n.as_i64().is_some_and(|v| v != 0))),
            _ => Err(MethodError::bad(&format!(
                "field \"{key}\" must be of type Boolean"
            ))),
        }
    }

    pub(crate) fn flag(&self, key: &str) -> Result<bool, MethodError> {
        Ok(self.bool_opt(key)?.unwrap_or(false))
    }

    /// An object or array parameter; in form encoding it is a JSON string.
    pub(crate) fn json_opt(&self, key: &str) -> Result<Option<Value>, MethodError> {
        let Some(value) = self.present(key) else {
            return Ok(None);
        };
        match value {
            Value::String(s) => serde_json::from_str(s)
                .map(Some)
                .map_err(|_| MethodError::bad(&format!("can't parse {key} JSON object"))),
            other => Ok(Some(other.clone())),
        }
    }

    pub(crate) fn chat_ref(&self, key: &str) -> Result<ChatRef, MethodError> {
        let Some(value) = self.present(key) else {
            return Err(MethodError::bad(&format!("{key} is empty")));
        };
        match value {
            Value::Number(n) => n
                .as_i64()
                .map(ChatRef::Id)
                .ok_or_else(MethodError::chat_not_found),
            Value::String(s) => {
                let s = s.trim();
                if let Some(name) = s.strip_prefix('@') {
                    Ok(ChatRef::Username(name.to_owned()))
                } else if s.is_empty() {
                    Err(MethodError::bad(&format!("{key} is empty")))
                } else {
                    s.parse()
                        .map(ChatRef::Id)
                        .map_err(|_| MethodError::chat_not_found())
                }
            }
            _ => Err(MethodError::chat_not_found()),
        }
    }

    /// The uploaded file a field refers to (`attach://name` or a part named like
    /// the field itself).
    pub(crate) fn file_for(&self, key: &str) -> Option<&UploadedFile> {
        let target = match self.str_opt(key) {
            Some(v) => v.strip_prefix("attach://").map(str::to_owned),
            None => Some(key.to_owned()),
        }?;
        self.files.iter().find(|f| f.field == target)
    }
}

/// Number of UTF-16 code units, the unit Telegram counts lengths and offsets in.
pub(crate) fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}
