//! Dropbox's `EmailAddress` pattern (common.stone), in one place: the bridge checks addresses with it
//! before any call, and the emulator refuses with it what Dropbox would.

/// Dropbox's `EmailAddress` pattern (common.stone):
/// `^['#&A-Za-z0-9._%+-]+@[A-Za-z0-9-][A-Za-z0-9.-]*\.[A-Za-z]{2,15}$`.
pub fn email_matches(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "'#&._%+-".contains(c));
    // `[A-Za-z]{2,15}$` holds no dot, so the top-level domain is what follows the last one.
    let Some((host, tld)) = domain.rsplit_once('.') else {
        return false;
    };
    let mut host_chars = host.chars();
    let host_ok = host_chars
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
        && host_chars.all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    let tld_ok = (2..=15).contains(&tld.len()) && tld.chars().all(|c| c.is_ascii_alphabetic());
    local_ok && host_ok && tld_ok
}
