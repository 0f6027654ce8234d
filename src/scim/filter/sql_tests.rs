//! Unit tests for the SQL pushdown: what is pushed, what is left, and that values are always binds.

use super::{Dialect, SqlArg, split};
use crate::scim::filter::parse;

fn cut(f: &str) -> (Option<String>, Vec<SqlArg>, Option<String>) {
    let s = split(&parse(f).unwrap(), Dialect::Sqlite);
    let (sql, args) = s
        .pushed
        .map_or((None, Vec::new()), |w| (Some(w.sql), w.args));
    (sql, args, s.residual.map(|r| r.to_string()))
}

fn text(s: &str) -> SqlArg {
    SqlArg::Text(s.to_owned())
}

#[test]
fn user_name_comparisons_are_lower_cased_binds() {
    let (sql, args, rest) = cut(r#"userName sw "Ann_%""#);
    assert_eq!(
        sql.as_deref(),
        Some(r"(m.sort_key IS NOT NULL AND m.sort_key LIKE $1 ESCAPE '\')")
    );
    assert_eq!(
        args,
        vec![text(r"ann\_\%%")],
        "wildcards escaped, value lower-cased"
    );
    assert_eq!(rest, None);
}

#[test]
fn a_value_never_reaches_the_sql_text() {
    let (sql, args, _) = cut(r#"name.familyName co "x' OR 1=1 --""#);
    let sql = sql.unwrap();
    assert!(!sql.contains("OR 1=1"), "{sql}");
    assert_eq!(args, vec![text("%x' or 1=1 --%")]);
}

#[test]
fn external_id_is_case_exact_and_emails_match_whole_values() {
    let (sql, args, _) = cut(r#"externalId sw "AB" and emails.value eq "A@x.io""#);
    assert_eq!(
        sql.as_deref(),
        Some(
            "((m.external_id IS NOT NULL AND substr(m.external_id, 1, length($1)) = $2) AND \
             (m.emails_lower LIKE $3 ESCAPE '\\'))"
        )
    );
    assert_eq!(args, vec![text("AB"), text("AB"), text("%\na@x.io\n%")]);
    let pg = split(&parse(r#"externalId co "B""#).unwrap(), Dialect::Postgres);
    assert!(
        pg.pushed
            .unwrap()
            .sql
            .contains("strpos(m.external_id, $1) > 0")
    );
}

#[test]
fn and_splits_but_or_and_not_push_only_when_whole() {
    let (sql, args, rest) = cut(r#"active eq true and title co "eng""#);
    assert_eq!(sql.as_deref(), Some("(m.active = $1)"));
    assert_eq!(args, vec![SqlArg::Bool(true)]);
    assert_eq!(rest.as_deref(), Some(r#"title co "eng""#));

    let (sql, args, rest) = cut(r#"userName eq "a" or title co "eng""#);
    assert_eq!(
        (sql, args.len()),
        (None, 0),
        "binds of a failed branch are dropped"
    );
    assert_eq!(
        rest.as_deref(),
        Some(r#"userName eq "a" or title co "eng""#)
    );

    let (sql, _, rest) = cut(r#"not (externalId pr) or userName ne "b""#);
    assert_eq!(
        sql.as_deref(),
        Some(
            "((NOT (m.external_id IS NOT NULL AND m.external_id <> '')) OR \
             (NOT (m.sort_key IS NOT NULL AND m.sort_key = $1)))"
        )
    );
    assert_eq!(rest, None);
}

#[test]
fn what_no_column_answers_is_left_for_rust() {
    for f in [
        r#"emails[type eq "work"].value sw "a""#,
        r#"userName gt "m""#,
        r#"active eq "true""#,
        "emails pr",
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "x""#,
        r#"meta.created gt "2020-01-01T00:00:00Z""#,
    ] {
        let (sql, args, rest) = cut(f);
        assert_eq!((sql, args.len()), (None, 0), "{f}");
        assert!(rest.is_some(), "{f}");
    }
}
