//! The memo / destination-tag check.

use super::AddressFormat;
use super::secret::looks_like_secret;

/// Why a memo / destination tag was refused. The messages never contain the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtraIdError {
    #[error("the memo is empty")]
    Empty,
    /// Looks like a private key or seed phrase: never store or log it.
    #[error(
        "this looks like a private key or a recovery phrase, not a memo: never share it with anyone"
    )]
    LooksLikeSecret,
    /// XRP destination tags are whole numbers from 0 to 4294967295.
    #[error("the destination tag must be a whole number from 0 to 4294967295")]
    BadTag,
    /// Longer than the network allows (bytes for Stellar, characters elsewhere).
    #[error("the memo is too long (at most {max})")]
    TooLong { max: usize },
    /// Contains control characters (line breaks, tabs, ...).
    #[error("the memo contains control characters")]
    BadCharacters,
}

/// Extra id (memo / destination tag) check: XRP destination tag = decimal u32; XLM memo = text up to 28 bytes
/// or a u64 id; TON comment up to 120 chars; others: up to 64 printable chars. Returns the trimmed value
/// (for XRP, the tag in canonical decimal: `007` becomes `7`).
pub fn validate_extra_id(format: AddressFormat, input: &str) -> Result<String, ExtraIdError> {
    if looks_like_secret(input) {
        return Err(ExtraIdError::LooksLikeSecret);
    }
    let s = input.trim();
    if s.is_empty() {
        return Err(ExtraIdError::Empty);
    }
    if s.chars().any(char::is_control) {
        return Err(ExtraIdError::BadCharacters);
    }
    let max_chars = match format {
        AddressFormat::Xrp => {
            if s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ExtraIdError::BadTag);
            }
            let tag: u32 = s.parse().map_err(|_| ExtraIdError::BadTag)?;
            return Ok(tag.to_string());
        }
        AddressFormat::Xlm => {
            // MEMO_TEXT is at most 28 bytes; a MEMO_ID (u64, at most 20 digits) always fits.
            if s.len() > 28 {
                return Err(ExtraIdError::TooLong { max: 28 });
            }
            return Ok(s.to_owned());
        }
        AddressFormat::Ton => 120,
        _ => 64,
    };
    if s.chars().count() > max_chars {
        return Err(ExtraIdError::TooLong { max: max_chars });
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::super::AddressFormat::*;
    use super::*;

    #[test]
    fn extra_id_xrp_tag() {
        assert_eq!(validate_extra_id(Xrp, " 123456 "), Ok("123456".to_owned()));
        assert_eq!(validate_extra_id(Xrp, "0"), Ok("0".to_owned()));
        assert_eq!(validate_extra_id(Xrp, "007"), Ok("7".to_owned()));
        assert_eq!(
            validate_extra_id(Xrp, "4294967295"),
            Ok("4294967295".to_owned())
        );
        for bad in ["4294967296", "-1", "+5", "12a", "1.5", "99999999999", "1 2"] {
            assert_eq!(
                validate_extra_id(Xrp, bad),
                Err(ExtraIdError::BadTag),
                "{bad}"
            );
        }
        assert_eq!(validate_extra_id(Xrp, "  "), Err(ExtraIdError::Empty));
    }

    #[test]
    fn extra_id_xlm_memo() {
        assert_eq!(
            validate_extra_id(Xlm, "18446744073709551615"),
            Ok("18446744073709551615".to_owned())
        );
        assert_eq!(
            validate_extra_id(Xlm, "invoice 42"),
            Ok("invoice 42".to_owned())
        );
        let max = "a".repeat(28);
        assert_eq!(validate_extra_id(Xlm, &max), Ok(max.clone()));
        assert_eq!(
            validate_extra_id(Xlm, &format!("{max}b")),
            Err(ExtraIdError::TooLong { max: 28 })
        );
        // 28 bytes, not 28 characters
        assert_eq!(
            validate_extra_id(Xlm, &"é".repeat(15)),
            Err(ExtraIdError::TooLong { max: 28 })
        );
    }

    #[test]
    fn extra_id_ton_and_others() {
        let comment = "x".repeat(120);
        assert_eq!(validate_extra_id(Ton, &comment), Ok(comment.clone()));
        assert_eq!(
            validate_extra_id(Ton, &format!("{comment}x")),
            Err(ExtraIdError::TooLong { max: 120 })
        );
        assert_eq!(
            validate_extra_id(Ton, &"ж".repeat(120)),
            Ok("ж".repeat(120))
        );
        let other = "y".repeat(64);
        assert_eq!(validate_extra_id(Evm, &other), Ok(other.clone()));
        assert_eq!(
            validate_extra_id(Btc, &format!("{other}y")),
            Err(ExtraIdError::TooLong { max: 64 })
        );
        assert_eq!(
            validate_extra_id(Ton, "line\nbreak"),
            Err(ExtraIdError::BadCharacters)
        );
        assert_eq!(validate_extra_id(Sol, ""), Err(ExtraIdError::Empty));
        assert_eq!(validate_extra_id(Ton, "  hi  "), Ok("hi".to_owned()));
    }
}
