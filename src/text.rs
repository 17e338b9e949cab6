//! What operators type, checked before it goes anywhere: free text for the audit trail
//! (reasons, tickets, names), person ids, and text made short and safe to show or record.

use crate::error::{Error, Result};

/// Checks a justification or other free text before it reaches the audit
/// trail: not blank, not too long, no control or direction-override characters.
pub fn free_text(field: &str, value: &str, max: usize) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::Usage(format!("{field} must not be empty")));
    }
    if trimmed.chars().count() > max {
        return Err(Error::Usage(format!(
            "{field} is longer than {max} characters"
        )));
    }
    if let Some(c) = trimmed.chars().find(|c| c.is_control() || is_invisible(*c)) {
        return Err(Error::Usage(format!(
            "{field} contains the control character {c:?}; use plain text"
        )));
    }
    Ok(trimmed.to_string())
}

/// Checks an account name (sAMAccountName): 1 to 64 characters, none of
/// the characters AD forbids, no control or direction-override characters.
pub fn check_account_name(name: &str) -> std::result::Result<(), String> {
    if name.is_empty() || name.chars().count() > 64 {
        return Err("the name must be 1 to 64 characters".into());
    }
    if name.starts_with([' ', '.']) || name.ends_with([' ', '.']) {
        return Err("it starts or ends with a space or dot".into());
    }
    let forbidden = "\"/\\[]:;|=,+*?<>()@#";
    if let Some(c) = name
        .chars()
        .find(|c| c.is_control() || is_invisible(*c) || forbidden.contains(*c))
    {
        return Err(format!("it contains {c:?}"));
    }
    Ok(())
}

/// Text from outside (a typed account name, the OS user) made safe to
/// record: no control or invisible characters, at most `max` characters.
pub fn plain(text: &str, max: usize) -> String {
    text.chars()
        .filter(|c| !c.is_control() && !is_invisible(*c))
        .take(max)
        .collect()
}

/// Characters that change how text reads without showing: direction
/// marks, overrides and isolates, zero-width characters, the line and paragraph
/// separators, the byte-order mark and the soft hyphen. Refused in account names,
/// reasons and tickets; never shown.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00ad}' | '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// Text from the database (what someone once typed) made fit for a terminal:
/// kept line by line, each line without control or invisible characters (a tab
/// reads as a space) and, given a limit, cut to that many characters with an ellipsis.
pub fn for_terminal(text: &str, max: Option<usize>) -> String {
    text.split('\n')
        .map(|line| {
            let spaced = line.replace('\t', " ");
            let clean = plain(&spaced, usize::MAX);
            match max {
                Some(max) => ellipsis(&clean, max),
                None => clean,
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// At most `max` characters, the last an ellipsis when the text was longer.
pub fn ellipsis(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The justification: required unless the policy (`reason_required`) says otherwise, and
/// never blank.
pub fn reason(required: bool, given: Option<&str>) -> Result<Option<String>> {
    match given {
        Some(text) => free_text("--reason", text, 500).map(Some),
        None if required => Err(Error::Usage(
            "--reason is required: say why you are looking, e.g. --reason \"s47 enquiry, case 1234\"".into(),
        )),
        None => Ok(None),
    }
}

/// A legal basis code as typed (`--basis`, `basis add`): trimmed and in lower case, then in the
/// form of `fc.legal_basis`'s codes: a letter, then up to 39 letters, digits, `_`, `.` or `-`.
/// Whether it is on the list is the database's to say.
pub fn basis_code(flag: &str, given: &str) -> Result<String> {
    let code = given.trim().to_ascii_lowercase();
    let mut chars = code.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && code.len() <= 40
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c));
    if ok {
        Ok(code)
    } else {
        Err(Error::Usage(format!(
            "{flag} {} is not a legal basis code: a letter, then letters, digits, \"_\", \".\" or \"-\" \
             (e.g. ca1989_s47); `famctx basis list` shows the codes",
            shorten(given)
        )))
    }
}

/// The legal basis declared with `--basis`: required when the policy (`basis_required`) says so
/// (for lookups), and in the form of a code.
pub fn basis(required: bool, given: Option<&str>) -> Result<Option<String>> {
    match given {
        Some(code) => basis_code("--basis", code).map(Some),
        None if required => Err(Error::Usage(
            "--basis is required (policy basis_required): declare the legal basis of this lookup, \
             e.g. --basis ca1989_s47; `famctx basis list` shows the codes"
                .into(),
        )),
        None => Ok(None),
    }
}

/// Shows user input in a message: quoted, escaped, and cut short.
pub fn shorten(input: &str) -> String {
    let cut: String = input.chars().take(40).collect();
    let more = if input.chars().count() > 40 {
        "..."
    } else {
        ""
    };
    format!("{:?}{more}", cut)
}

/// A person id as the operator typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonId {
    Fc(i64),
    Cms(String),
}

impl PersonId {
    pub fn parse(input: &str) -> Result<PersonId> {
        let s = input.trim();
        let bad = || {
            Error::Usage(format!(
                "{} is not a person id: use fc:<number> (e.g. fc:1234, or just 1234) or cms:<case id> (e.g. cms:CMS-0001)",
                shorten(input)
            ))
        };
        let lower = s.to_ascii_lowercase();
        if let Some(cms) = lower.strip_prefix("cms:").map(|_| &s[4..]) {
            let ok = !cms.is_empty()
                && cms.len() <= 64
                && cms
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            return if ok {
                Ok(PersonId::Cms(cms.to_string()))
            } else {
                Err(bad())
            };
        }
        let digits = lower.strip_prefix("fc:").unwrap_or(&lower);
        if digits.is_empty() || digits.len() > 18 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        match digits.parse::<i64>() {
            Ok(n) if n > 0 => Ok(PersonId::Fc(n)),
            _ => Err(bad()),
        }
    }
}

impl std::fmt::Display for PersonId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PersonId::Fc(n) => write!(f, "fc:{n}"),
            PersonId::Cms(c) => write!(f, "cms:{c}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_for_a_terminal_has_no_controls_and_keeps_its_lines() {
        let hostile = "ev\u{1b}[31mil\u{7}\u{202e}txt\tend\r\nnext\u{2028}line\u{0}";
        let shown = for_terminal(hostile, None);
        assert_eq!(shown, "ev[31miltxt end\nnextline");
        assert!(!shown.chars().any(|c| c.is_control() && c != '\n'));
        assert_eq!(for_terminal(&"x".repeat(256), Some(20)).chars().count(), 20);
        assert!(for_terminal(&"x".repeat(256), Some(20)).ends_with('…'));
        assert_eq!(for_terminal("short\nlines", Some(20)), "short\nlines");
        assert_eq!(ellipsis("abcdef", 4), "abc…");
        assert_eq!(ellipsis("abcd", 4), "abcd");
    }

    #[test]
    fn basis_codes_and_the_policy() {
        assert_eq!(basis(false, None).unwrap(), None);
        assert_eq!(
            basis(true, Some(" CA1989_S47 ")).unwrap().as_deref(),
            Some("ca1989_s47")
        );
        assert_eq!(
            basis(false, Some("dpa2018.sch1-p18")).unwrap().as_deref(),
            Some("dpa2018.sch1-p18")
        );
        let missing = basis(true, None).unwrap_err();
        assert!(
            matches!(&missing, Error::Usage(m) if m.contains("--basis is required") && m.contains("famctx basis list")),
            "{missing}"
        );
        for bad in [
            "",
            "47",
            "ca 1989",
            "s47!",
            "ca1989_s47\u{202e}",
            "\u{212a}",
            &"a".repeat(41),
        ] {
            assert!(
                matches!(basis(false, Some(bad)), Err(Error::Usage(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn person_ids() {
        assert_eq!(PersonId::parse("fc:12").unwrap(), PersonId::Fc(12));
        assert_eq!(PersonId::parse("12").unwrap(), PersonId::Fc(12));
        assert_eq!(PersonId::parse("FC:7").unwrap(), PersonId::Fc(7));
        assert_eq!(
            PersonId::parse("cms:CMS-0001").unwrap(),
            PersonId::Cms("CMS-0001".into())
        );
        for bad in [
            "",
            "fc:",
            "fc:-1",
            "fc:0",
            "cms:",
            "x:1",
            "1 OR 1=1",
            "cms:a'b",
            "99999999999999999999",
            "fc:1\0",
        ] {
            assert!(
                matches!(PersonId::parse(bad), Err(Error::Usage(_))),
                "{bad:?}"
            );
        }
    }
}
