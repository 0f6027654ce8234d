//! Redaction of e-mail addresses from Dropbox's free-text answers (400 bodies can echo the request),
//! so that they reach neither log fields nor audit rows.

/// What an e-mail address is replaced with.
pub const REDACTED: &str = "<redacted>";

fn is_local(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._%+-".contains(c)
}

fn is_domain(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '-'
}

/// `text` with anything e-mail-shaped (`local@domain.tld`) replaced by `<redacted>`.
pub fn redact_emails(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '@' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let local = chars[..i]
            .iter()
            .rev()
            .take_while(|c| is_local(**c))
            .count();
        let domain: String = chars[i + 1..]
            .iter()
            .take_while(|c| is_domain(**c))
            .collect();
        let domain = domain.trim_end_matches(['.', '-']);
        if local > 0 && domain.contains('.') && !domain.starts_with('.') {
            for _ in 0..local {
                out.pop();
            }
            out.push_str(REDACTED);
            i += 1 + domain.chars().count();
        } else {
            out.push('@');
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_replaced_and_the_rest_is_kept() {
        let body = "Error in call to API function \"team/members/add_v2\": \
                    request body: new_members[0].member_email: 'Jane.Doe+x@Example.co.uk' is not valid.";
        let out = redact_emails(body);
        assert!(!out.contains("Jane.Doe"), "{out}");
        assert!(!out.contains("Example.co.uk"), "{out}");
        assert!(
            out.contains("member_email: '<redacted>' is not valid."),
            "{out}"
        );
        assert!(out.starts_with("Error in call to API function \"team/members/add_v2\""));
    }

    #[test]
    fn several_addresses_and_non_addresses() {
        assert_eq!(
            redact_emails("a@b.io, c_d@e-f.example; x@y @ z@localhost"),
            "<redacted>, <redacted>; x@y @ z@localhost"
        );
        assert_eq!(
            redact_emails("naïve text, no at sign"),
            "naïve text, no at sign"
        );
        assert_eq!(redact_emails("end with a@b.com."), "end with <redacted>.");
    }
}
