//! Unit tests of the mapping of the old server's shapes.

use super::*;
use serde_json::json;

/// A display name becomes a readable identifier; an identifier stays as it is (None); a name
/// with nothing to make an identifier from is left for the name check to refuse.
#[test]
fn display_names_become_identifiers() {
    assert_eq!(identifier_for("My Coach"), Some("my-coach".into()));
    assert_eq!(identifier_for("  Chef (Italian) !"), Some("chef-italian".into()));
    assert_eq!(identifier_for("my-coach"), None);
}

/// `page` counts from 1 in the old server; a missing page size is its default (10, or 20 for
/// conversations); page 0 and sizes past 200 are refused, not bent.
#[test]
fn old_pages_become_offsets() {
    let mut args = JsonObject::new();
    args.insert("page".into(), 3.into());
    assert_eq!(
        take_page(&mut args, UPSTREAM_PAGE_SIZE).ok().flatten(),
        Some((20, 10))
    );
    args.insert("page".into(), 2.into());
    assert_eq!(
        take_page(&mut args, UPSTREAM_CONVERSATION_PAGE_SIZE)
            .ok()
            .flatten(),
        Some((20, 20))
    );
    args.insert("page".into(), 2.0.into());
    args.insert("pageSize".into(), 25.into());
    assert_eq!(
        take_page(&mut args, UPSTREAM_PAGE_SIZE).ok().flatten(),
        Some((25, 25))
    );
    for (page, size) in [
        (json!("two"), json!(10)),
        (json!(0), json!(10)),
        (json!(1), json!(10_000)),
    ] {
        args.insert("page".into(), page);
        args.insert("pageSize".into(), size);
        assert!(take_page(&mut args, UPSTREAM_PAGE_SIZE).is_err());
    }
}

/// An old field and ours given together: equal values are one, objects merge field by field,
/// and different values are refused (never one of them dropped unseen).
#[test]
fn old_and_new_fields_given_together_agree_or_are_refused() {
    let mut args = JsonObject::new();
    args.insert("stopSequences".into(), json!(["END"]));
    args.insert("stop".into(), json!(["END"]));
    assert!(rename(&mut args, "stop", "stopSequences").is_ok());
    args.insert("stop".into(), json!(["OTHER"]));
    let err = rename(&mut args, "stop", "stopSequences")
        .expect_err("disagree")
        .0;
    assert!(err.contains("'stop'") && err.contains("'stopSequences'"), "{err}");

    let mut args = JsonObject::new();
    args.insert("settings".into(), json!({"maxTokens": 111}));
    args.insert("defaultSettings".into(), json!({"expiryDays": 3}));
    assert!(rename(&mut args, "defaultSettings", "settings").is_ok());
    assert_eq!(args["settings"], json!({"maxTokens": 111, "expiryDays": 3}));
    args.insert("defaultSettings".into(), json!({"maxTokens": 222}));
    assert!(rename(&mut args, "defaultSettings", "settings").is_err());
    // null is "not given", in either place.
    args.insert("stopSequences".into(), Value::Null);
    args.insert("stop".into(), json!(["END"]));
    assert!(rename(&mut args, "stop", "stopSequences").is_ok());
    assert_eq!(args["stopSequences"], json!(["END"]));
}

/// SQLite's own time formats, which the old server accepted, become RFC 3339; other text
/// (including non-ASCII text of the same length) is passed on for the time check to refuse.
#[test]
fn sqlite_times_become_rfc3339() {
    assert_eq!(rfc3339_from_sqlite("2026-12-01"), "2026-12-01T00:00:00Z");
    assert_eq!(rfc3339_from_sqlite("2026-12-01 10:20:30"), "2026-12-01T10:20:30Z");
    assert_eq!(
        rfc3339_from_sqlite("2026-12-01T10:20:30Z"),
        "2026-12-01T10:20:30Z"
    );
    assert_eq!(rfc3339_from_sqlite("二〇二六年十二"), "二〇二六年十二");
}

/// A display name without ASCII letters gets a stable made-up name, the same every time.
#[test]
fn names_without_ascii_get_a_stable_name() {
    let a = identifier_for("カウンセラー").expect("a name");
    assert!(
        a.starts_with("persona-") && a.len() == "persona-".len() + 8,
        "{a}"
    );
    assert_eq!(identifier_for("カウンセラー"), Some(a));
}
