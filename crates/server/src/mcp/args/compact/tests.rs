//! Unit tests of the schema compaction: each rule on a small schema in schemars' shapes.

use serde_json::{Value, json};

use super::*;

fn compacted(schema: Value) -> Value {
    let Value::Object(mut object) = schema else {
        panic!("a schema object")
    };
    compact(&mut object);
    Value::Object(object)
}

/// `$schema` goes (2020-12 is MCP's default); an optional field loses its `null` alternative and
/// its `default: null`, in every shape schemars writes it; a required field that may be null
/// keeps `null`, and so does a field that can be nothing else.
#[test]
fn optional_fields_lose_null_and_required_ones_keep_it() {
    let schema = compacted(json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "model": {"type": ["string", "null"], "default": null},
            "mode": {"enum": ["a", "b", null]},
            "settings": {"anyOf": [{"type": "object", "properties": {"n": {"type": "integer"}}}, {"type": "null"}], "description": "S."},
            "must": {"type": ["string", "null"]},
            "nothing": {"type": ["null"], "enum": [null], "anyOf": [{"type": "null"}]}
        },
        "required": ["must"]
    }));
    assert_eq!(
        schema,
        json!({
            "type": "object",
            "properties": {
                "model": {"type": "string"},
                "mode": {"enum": ["a", "b"]},
                "settings": {"type": "object", "properties": {"n": {"type": "integer"}}, "description": "S."},
                "must": {"type": ["string", "null"]},
                "nothing": {"type": ["null"], "enum": [null], "anyOf": [{"type": "null"}]}
            },
            "required": ["must"]
        })
    );
}

/// Defaults that say what an absent field means anyway go; a default with content stays; a
/// property that happens to be named `default` is not a keyword.
#[test]
fn only_empty_defaults_go() {
    let schema = compacted(json!({
        "type": "object",
        "properties": {
            "list": {"type": "array", "items": {"type": "string"}, "default": []},
            "map": {"type": "object", "default": {}},
            "flag": {"type": "boolean", "default": false},
            "on": {"type": "boolean", "default": true},
            "route": {"type": "string", "default": "auto"},
            "default": {"type": "string", "description": "A field named default."}
        }
    }));
    let p = &schema["properties"];
    assert_eq!(p["list"].get("default"), None);
    assert_eq!(p["map"].get("default"), None);
    assert_eq!(p["flag"].get("default"), None);
    assert_eq!(p["on"]["default"], true);
    assert_eq!(p["route"]["default"], "auto");
    assert_eq!(p["default"]["description"], "A field named default.");
}

/// A free map loses its `additionalProperties: true` (the JSON Schema default); an object with
/// named properties keeps it, as it tells `mcp::compat` to keep unknown fields.
#[test]
fn open_map_marker_goes_only_where_nothing_is_named() {
    let schema = compacted(json!({
        "type": "object",
        "properties": {
            "args": {"type": "object", "additionalProperties": true},
            "open": {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": true},
            "closed": {"type": "object", "additionalProperties": false}
        }
    }));
    let p = &schema["properties"];
    assert_eq!(p["args"], json!({"type": "object"}));
    assert_eq!(p["open"]["additionalProperties"], true);
    assert_eq!(p["closed"]["additionalProperties"], false);
}

/// A doc comment's line wraps become spaces; its blank lines stay paragraph breaks and its list
/// items stay on lines of their own.
#[test]
fn wrapped_doc_lines_are_joined() {
    let schema = compacted(json!({
        "type": "object",
        "description": "One sentence\nwrapped.\n\nA list:\n- one item\n- another,\n  wrapped.",
        "properties": {"a": {"type": "string", "description": "Wrapped\nhere."}}
    }));
    assert_eq!(
        schema["description"],
        "One sentence wrapped.\n\nA list:\n- one item\n- another, wrapped."
    );
    assert_eq!(schema["properties"]["a"]["description"], "Wrapped here.");
}

/// A definition used once is written in place, the reference's description winning over the
/// definition's, and `$defs` goes when empty; one used twice, or by itself, stays a reference.
#[test]
fn single_use_definitions_are_inlined_and_shared_ones_kept() {
    let schema = compacted(json!({
        "type": "object",
        "properties": {
            "once": {"$ref": "#/$defs/Once", "description": "Here."},
            "a": {"$ref": "#/$defs/Twice"},
            "b": {"$ref": "#/$defs/Twice"},
            "tree": {"$ref": "#/$defs/Tree"}
        },
        "$defs": {
            "Once": {"type": "object", "description": "Generic.", "properties": {"r": {"$ref": "#/$defs/Inner"}}},
            "Inner": {"type": "string", "enum": ["x", "y"]},
            "Twice": {"type": "integer", "minimum": 1},
            "Tree": {"type": "object", "properties": {"child": {"$ref": "#/$defs/Tree"}}}
        }
    }));
    assert_eq!(
        schema["properties"]["once"],
        json!({"type": "object", "description": "Here.", "properties": {"r": {"type": "string", "enum": ["x", "y"]}}})
    );
    assert_eq!(schema["properties"]["a"], json!({"$ref": "#/$defs/Twice"}));
    assert_eq!(schema["properties"]["tree"], json!({"$ref": "#/$defs/Tree"}));
    let defs: Vec<&String> = schema["$defs"]
        .as_object()
        .map(|d| d.keys().collect())
        .unwrap_or_default();
    assert_eq!(defs, ["Tree", "Twice"]);

    let schema = compacted(json!({
        "type": "object",
        "properties": {"once": {"$ref": "#/$defs/Once"}},
        "$defs": {"Once": {"type": "string"}}
    }));
    assert_eq!(
        schema,
        json!({"type": "object", "properties": {"once": {"type": "string"}}})
    );
}

/// A use that constrains differently from the definition keeps the reference: the
/// constraints are never merged into something else.
#[test]
fn a_contradicting_use_keeps_its_reference() {
    let schema = compacted(json!({
        "type": "object",
        "properties": {"n": {"$ref": "#/$defs/N", "minimum": 5}},
        "$defs": {"N": {"type": "integer", "minimum": 1}}
    }));
    assert_eq!(
        schema["properties"]["n"],
        json!({"$ref": "#/$defs/N", "minimum": 5})
    );
    assert_eq!(schema["$defs"]["N"]["minimum"], 1);
}

/// Documented string constants become one `enum` with a line per value after the field's own
/// description; constants beside a free string become a described string.
#[test]
fn string_unions_become_described_enums() {
    let schema = compacted(json!({
        "type": "object",
        "properties": {
            "action": {"$ref": "#/$defs/Action", "description": "What to do."},
            "route": {"$ref": "#/$defs/Route", "default": "auto"},
            "plain": {"oneOf": [{"const": "a", "type": "string"}, {"const": "b", "type": "string"}]},
            "mixed": {"oneOf": [{"const": "a", "type": "string"}, {"type": "integer"}]}
        },
        "required": ["action"],
        "$defs": {
            "Action": {"oneOf": [
                {"const": "list", "type": "string", "description": "Every item."},
                {"const": "get", "type": "string", "description": "One item (needs name)."}
            ]},
            "Route": {"description": "Which route.", "anyOf": [
                {"const": "auto", "type": "string", "description": "Pick one."},
                {"type": "string", "description": "A provider by name."}
            ]}
        }
    }));
    let p = &schema["properties"];
    assert_eq!(
        p["action"],
        json!({
            "type": "string",
            "enum": ["list", "get"],
            "description": "What to do.\nlist: Every item.\nget: One item (needs name)."
        })
    );
    assert_eq!(
        p["route"],
        json!({"type": "string", "default": "auto", "description": "Which route.\nauto: Pick one.\nA provider by name."})
    );
    assert_eq!(p["plain"], json!({"type": "string", "enum": ["a", "b"]}));
    assert_eq!(
        p["mixed"]["oneOf"].as_array().map(Vec::len),
        Some(2),
        "a union that is not all strings stays"
    );
    assert_eq!(schema.get("$defs"), None);
}

#[test]
fn items_of_a_described_array_lose_their_own_description() {
    let out = compacted(json!({
        "type": "object",
        "properties": {
            "described": {
                "type": "array",
                "description": "The conversation so far.",
                "items": {"type": "object", "description": "One message."}
            },
            "bare": {"type": "array", "items": {"type": "string", "description": "A name."}}
        }
    }));
    assert_eq!(
        out["properties"]["described"]["items"],
        json!({"type": "object"}),
        "the array's description says it"
    );
    assert_eq!(
        out["properties"]["bare"]["items"]["description"], "A name.",
        "nothing else says what the items are"
    );
}
