//! Filter parsing, printing and evaluation: every IdP and RFC 7644 form, errors, limits, round-trip proptest.

use dropbox_scim_bridge::scim::ScimType;
use dropbox_scim_bridge::scim::filter::{
    AttrPath, CompValue, CompareOp, Filter, MAX_DEPTH, SubTest, matches, parse,
};
use dropbox_scim_bridge::scim::schema::{group_schema, user_schema};
use proptest::prelude::*;
use serde_json::json;

const VALID: &[&str] = &[
    // IDP_BEHAVIOUR.md
    r#"userName eq "u""#,
    r#"UserName Eq "x""#,
    r#"externalId eq "x""#,
    "externalId eq jyoung",
    r#"displayName eq "g""#,
    r#"emails[type eq "work"].value eq "a@x.com""#,
    r#"members[value eq "id"]"#,
    r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "42""#,
    r#"id eq "5e3b1c70-9c8f-4f3f-a0a5-6a1f9f0b8e2f""#,
    "not (title pr)",
    "((title pr) and ((userName pr)))",
    // RFC 7644 §3.4.2.2 examples
    r#"userName eq "bjensen""#,
    r#"name.familyName co "O'Malley""#,
    r#"userName sw "J""#,
    r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
    "title pr",
    r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
    r#"meta.lastModified ge "2011-05-13T04:42:34Z""#,
    r#"meta.lastModified lt "2011-05-13T04:42:34Z""#,
    r#"meta.lastModified le "2011-05-13T04:42:34Z""#,
    r#"title pr and userType eq "Employee""#,
    r#"title pr or userType eq "Intern""#,
    r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
    r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
    r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
    r#"userType eq "Employee" and (emails.type eq "work")"#,
    r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
    r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
    "active eq true",
    "active EQ False",
    "x eq null",
    "x gt 1.5",
    "x le -3",
    r#"userName eq "a\"b\\c\u00e9""#,
    r#"emails[type eq "work"].value pr"#,
    r#"members.$ref pr"#,
];

#[test]
fn every_known_form_parses_and_round_trips() {
    for f in VALID {
        let parsed = parse(f).map_err(|e| format!("{f}: {}", e.detail));
        assert!(parsed.is_ok(), "{parsed:?}");
        let printed = parsed.as_ref().map(|p| p.to_string()).unwrap_or_default();
        assert_eq!(
            parse(&printed).ok(),
            parsed.ok(),
            "{f} printed as {printed}"
        );
    }
}

#[test]
fn entra_value_path_tail_and_bare_words_have_the_right_shape() {
    let f = parse(r#"emails[type eq "work"].value eq "a@x.com""#).ok();
    let expected = Filter::ValuePath {
        attr: AttrPath::new("emails"),
        filter: Box::new(Filter::Compare {
            path: AttrPath::new("type"),
            op: CompareOp::Eq,
            value: CompValue::Str("work".into()),
        }),
        then: Some((
            "value".into(),
            SubTest::Compare(CompareOp::Eq, CompValue::Str("a@x.com".into())),
        )),
    };
    assert_eq!(f, Some(expected));
    let f = parse("externalId eq jyoung").ok();
    let expected = Filter::Compare {
        path: AttrPath::new("externalId"),
        op: CompareOp::Eq,
        value: CompValue::Str("jyoung".into()),
    };
    assert_eq!(f, Some(expected));
}

#[test]
fn and_binds_tighter_than_or() {
    let f = parse("a pr or b pr and c pr")
        .map(|f| matches!(f, Filter::Or(_, r) if matches!(*r, Filter::And(..))));
    assert_eq!(f.ok(), Some(true));
}

#[test]
fn invalid_filters_say_where() {
    let cases: &[(&str, &str)] = &[
        ("", "at byte 0"),
        ("userName", "at byte 8: expected an operator"),
        ("userName eq", "at byte 11: expected a value"),
        ("userName zz \"x\"", "at byte 9: expected an operator"),
        ("(userName pr", "at byte 12: expected ')'"),
        ("userName pr and", "at byte 15: expected an attribute path"),
        ("emails[type eq \"w\"", "expected ']'"),
        ("emails[type[value eq 1]]", "cannot be nested"),
        (
            "userName eq \"unterminated",
            "at byte 12: unterminated string",
        ),
        ("userName pr extra", "at byte 12: expected 'and', 'or'"),
        ("1bad pr", "at byte 0: expected an attribute path"),
        ("userName eq \"\\x\"", "invalid string literal"),
    ];
    for (f, want) in cases {
        let e = parse(f).err();
        let got = e
            .as_ref()
            .map(|e| (e.status, e.scim_type, e.detail.contains(want)));
        assert_eq!(
            got,
            Some((400, Some(ScimType::InvalidFilter), true)),
            "{f}: {:?}",
            e.map(|e| e.detail)
        );
    }
}

#[test]
fn depth_and_length_limits() {
    let ok = format!("{}a pr{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert!(parse(&ok).is_ok());
    let deep = format!(
        "{}a pr{}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    assert!(
        parse(&deep)
            .err()
            .is_some_and(|e| e.detail.contains("nesting"))
    );
    let nots = format!("{}a pr{}", "not (".repeat(800), ")".repeat(800));
    assert!(parse(&nots).is_err());
    let long = format!("userName eq \"{}\"", "x".repeat(5000));
    assert!(
        parse(&long)
            .err()
            .is_some_and(|e| e.detail.contains("longer"))
    );
}

fn user() -> serde_json::Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "Abc-1", "userName": "john@x.com", "externalId": "jyoung", "active": true,
        "name": {"givenName": "John", "familyName": "O'Malley"},
        "emails": [{"value": "john@x.com", "type": "work", "primary": true}, {"value": "j@home.org", "type": "home"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "42", "manager": {"value": "m1"}},
        "meta": {"created": "2020-01-01T00:00:00Z", "lastModified": "2021-06-01T10:00:00+02:00"}
    })
}

#[test]
fn evaluation_follows_schema_rules() {
    let u = user();
    let s = user_schema();
    let yes = [
        r#"userName eq "JOHN@X.COM""#,
        r#"USERNAME eq "john@x.com""#,
        "externalId eq jyoung",
        r#"emails[type eq "work"].value eq "John@X.com""#,
        r#"emails[type eq "work" and primary eq true]"#,
        r#"emails co "home.org""#,
        r#"emails.type eq "home""#,
        r#"name.familyName co "o'mal""#,
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "42""#,
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m1""#,
        r#"meta.lastModified gt "2021-06-01T07:59:59Z""#,
        "active eq true",
        "title eq null",
        "not (title pr)",
        r#"id eq "Abc-1""#,
        r#"userName ne "other""#,
    ];
    for f in yes {
        assert!(
            parse(f).is_ok_and(|p| matches(&p, &u, s)),
            "{f} should match"
        );
    }
    let no = [
        r#"externalId eq "JYOUNG""#,
        r#"id eq "abc-1""#,
        r#"emails[type eq "home"].value eq "john@x.com""#,
        r#"meta.lastModified gt "2021-06-01T08:00:01Z""#,
        "active eq false",
        "title pr",
        r#"userName eq "5e3b1c70-9c8f-4f3f-a0a5-6a1f9f0b8e2f""#,
    ];
    for f in no {
        assert!(
            parse(f).is_ok_and(|p| !matches(&p, &u, s)),
            "{f} should not match"
        );
    }
    let g = json!({"displayName": "Eng", "members": [{"value": "u1"}, {"value": "u2"}]});
    assert!(parse(r#"members[value eq "u2"]"#).is_ok_and(|p| matches(&p, &g, group_schema())));
    assert!(parse(r#"displayName eq "eng""#).is_ok_and(|p| matches(&p, &g, group_schema())));
}

fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z][a-zA-Z0-9_]{0,6}".prop_filter("not a keyword", |s| {
        !["and", "or", "not", "pr", "true", "false", "null"]
            .contains(&s.to_ascii_lowercase().as_str())
    })
}

fn path() -> impl Strategy<Value = AttrPath> {
    let urn = prop_oneof![
        Just(None),
        Just(Some(
            "urn:ietf:params:scim:schemas:core:2.0:User".to_string()
        ))
    ];
    (urn, name(), proptest::option::of(name())).prop_map(|(urn, attr, sub_attr)| AttrPath {
        urn,
        attr,
        sub_attr,
    })
}

fn value() -> impl Strategy<Value = CompValue> {
    prop_oneof![
        any::<String>().prop_map(CompValue::Str),
        any::<i64>().prop_map(|n| CompValue::Num(n.into())),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(CompValue::Num)),
        any::<bool>().prop_map(CompValue::Bool),
        Just(CompValue::Null),
    ]
}

fn op() -> impl Strategy<Value = CompareOp> {
    use CompareOp::*;
    proptest::sample::select(vec![Eq, Ne, Co, Sw, Ew, Gt, Ge, Lt, Le])
}

fn leaf() -> impl Strategy<Value = Filter> {
    prop_oneof![
        (path(), op(), value()).prop_map(|(path, op, value)| Filter::Compare { path, op, value }),
        path().prop_map(Filter::Present),
    ]
}

fn combine(f: BoxedStrategy<Filter>) -> impl Strategy<Value = Filter> {
    prop_oneof![
        (f.clone(), f.clone()).prop_map(|(a, b)| Filter::And(Box::new(a), Box::new(b))),
        (f.clone(), f.clone()).prop_map(|(a, b)| Filter::Or(Box::new(a), Box::new(b))),
        f.prop_map(|a| Filter::Not(Box::new(a))),
    ]
}

fn inner() -> impl Strategy<Value = Filter> {
    let simple = (name(), op(), value()).prop_map(|(a, op, value)| Filter::Compare {
        path: AttrPath::new(a),
        op,
        value,
    });
    simple.prop_recursive(3, 8, 2, |f| combine(f.boxed()))
}

fn filter() -> impl Strategy<Value = Filter> {
    let vp = (
        name(),
        inner(),
        proptest::option::of((name(), op(), value())),
    )
        .prop_map(|(a, f, then)| Filter::ValuePath {
            attr: AttrPath::new(a),
            filter: Box::new(f),
            then: then.map(|(s, o, v)| (s, SubTest::Compare(o, v))),
        });
    prop_oneof![leaf(), vp].prop_recursive(4, 24, 2, |f| combine(f.boxed()))
}

proptest! {
    #[test]
    fn print_then_parse_is_identity(f in filter()) {
        let printed = f.to_string();
        prop_assert_eq!(parse(&printed).map_err(|e| e.detail), Ok(f), "printed: {}", printed);
    }

    #[test]
    fn parse_never_panics(s in "\\PC{0,80}") {
        let _ = parse(&s);
    }

    #[test]
    fn eval_never_panics(f in filter(), v in any::<u8>()) {
        let doc = json!({"a": v, "emails": [{"value": "x", "type": v.to_string()}], "name": "plain"});
        let _ = matches(&f, &doc, user_schema());
    }
}
