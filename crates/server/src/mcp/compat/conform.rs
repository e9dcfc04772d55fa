//! Conforming arguments to our input schema: fields the schema does not know are dropped with a
//! note, `null` for an optional field counts as leaving it out, and whole numbers written as
//! floats (`300.0`) become the integers the schema asks for.

use rmcp::model::JsonObject;
use serde_json::Value;

/// Drops fields the schema does not know (with a note), and turns whole floats into integers
/// where the schema wants an integer. `root` holds the `$defs` that references point into.
fn conform(value: &mut Value, schema: &Value, root: &JsonObject, path: &str, notes: &mut Vec<String>) {
    let schema = resolve(schema, root);
    match value {
        Value::Object(obj) => {
            if let Some(Value::Object(object_schema)) =
                alternatives(schema, root).find(|s| s.get("properties").is_some())
            {
                conform_object(obj, object_schema, root, path, notes);
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = alternatives(schema, root).find_map(|s| s.get("items")) {
                for (i, item) in items.iter_mut().enumerate() {
                    conform(item, item_schema, root, &format!("{path}{i}."), notes);
                }
            }
        }
        Value::Number(n) if n.is_f64() => {
            let wants_integer = alternatives(schema, root).any(|s| type_includes(s, "integer"))
                && !alternatives(schema, root).any(|s| type_includes(s, "number"));
            if let Some(whole) = n.as_f64().filter(|_| wants_integer).and_then(exact_integer) {
                *value = whole;
            }
        }
        _ => {}
    }
}

/// [`conform`] for an object and the object schema that describes it.
pub(super) fn conform_object(
    obj: &mut JsonObject,
    object_schema: &JsonObject,
    root: &JsonObject,
    path: &str,
    notes: &mut Vec<String>,
) {
    let Some(properties) = object_schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    // Clients and models send `null` for optional fields they leave unset; our schemas publish
    // optional fields without a `null` alternative, so it means "not given", whatever the
    // field's Rust type (an `Option` or a field with a default).
    let required = |key: &str| {
        object_schema
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|names| names.iter().any(|n| n == key))
    };
    obj.retain(|key, value| !value.is_null() || required(key) || !properties.contains_key(key));
    // A map with free keys (template args) keeps every key.
    let open = object_schema
        .get("additionalProperties")
        .is_some_and(|a| a.is_object() || a == &Value::Bool(true));
    if !open {
        let unknown: Vec<String> = obj
            .keys()
            .filter(|k| !properties.contains_key(*k))
            .cloned()
            .collect();
        for key in unknown {
            // A null asks for nothing: it is the field left out, known or not.
            if obj.remove(&key).is_some_and(|v| v.is_null()) {
                continue;
            }
            notes.push(format!(
                "Ignored unknown field '{path}{key}': it is not part of this tool's input."
            ));
        }
    }
    for (key, field) in obj.iter_mut() {
        if let Some(field_schema) = properties.get(key) {
            conform(field, field_schema, root, &format!("{path}{key}."), notes);
        }
    }
}

fn exact_integer(f: f64) -> Option<Value> {
    if f.fract() != 0.0 || f.abs() > 9_007_199_254_740_992.0 {
        return None;
    }
    Some(if f >= 0.0 {
        Value::from(f as u64)
    } else {
        Value::from(f as i64)
    })
}

fn type_includes(schema: &Value, name: &str) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == name,
        Some(Value::Array(ts)) => ts.iter().any(|t| t == name),
        _ => false,
    }
}

/// Follows a local `$ref` (`#/$defs/Name`).
fn resolve<'a>(schema: &'a Value, root: &'a JsonObject) -> &'a Value {
    let target = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| {
            r.strip_prefix("#/$defs/")
                .or_else(|| r.strip_prefix("#/definitions/"))
        })
        .and_then(|name| {
            root.get("$defs")
                .or_else(|| root.get("definitions"))
                .and_then(|defs| defs.get(name))
        });
    target.unwrap_or(schema)
}

/// The schema itself and, resolved, each of its `anyOf` / `oneOf` / `allOf` branches.
fn alternatives<'a>(schema: &'a Value, root: &'a JsonObject) -> impl Iterator<Item = &'a Value> + 'a {
    let branches = ["anyOf", "oneOf", "allOf"]
        .into_iter()
        .filter_map(move |k| schema.get(k).and_then(Value::as_array))
        .flatten()
        .map(move |b| resolve(b, root));
    std::iter::once(schema).chain(branches)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> JsonObject {
        let Value::Object(s) = json!({
            "type": "object",
            "properties": {
                "maxTokens": {"type": ["integer", "null"], "minimum": 0},
                "temperature": {"type": ["number", "null"]},
                "settings": {"anyOf": [{"$ref": "#/$defs/Settings"}, {"type": "null"}]},
                "args": {"type": "object", "additionalProperties": true},
                "messages": {"type": "array", "items": {"$ref": "#/$defs/Message"}}
            },
            "$defs": {
                "Settings": {"type": "object", "properties": {"expiryDays": {"type": "integer"}}},
                "Message": {"type": "object", "properties": {"role": {"type": "string"}}}
            }
        }) else {
            unreachable!()
        };
        s
    }

    /// Unknown fields go, at every depth the schema describes, each with a note naming its path;
    /// free maps keep their keys; whole floats become integers only where an integer is wanted.
    #[test]
    fn unknown_fields_are_dropped_with_notes_and_whole_floats_become_integers() {
        let schema = schema();
        let Value::Object(mut args) = json!({
            "maxTokens": 300.0,
            "temperature": 1.0,
            "settings": {"expiryDays": 7.0, "colour": "red"},
            "args": {"anything": 1},
            "messages": [{"role": "user", "mood": "happy"}],
            "extra": true
        }) else {
            unreachable!()
        };
        let mut notes = Vec::new();
        conform_object(&mut args, &schema, &schema, "", &mut notes);
        assert_eq!(
            Value::Object(args),
            json!({
                "maxTokens": 300,
                "temperature": 1.0,
                "settings": {"expiryDays": 7},
                "args": {"anything": 1},
                "messages": [{"role": "user"}]
            })
        );
        notes.sort();
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(notes[0].contains("'extra'"), "{notes:?}");
        assert!(notes[1].contains("'messages.0.mood'"), "{notes:?}");
        assert!(notes[2].contains("'settings.colour'"), "{notes:?}");
    }

    /// `null` for an optional field, at any depth, is the field left out (so a field with a
    /// default gets its default); a required field's `null` stays for the parser to refuse.
    #[test]
    fn null_for_an_optional_field_is_left_out() {
        let Value::Object(schema) = json!({
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "provider": {"type": "string"},
                "settings": {"type": "object", "properties": {"expiryDays": {"type": "integer"}}}
            },
            "required": ["name"]
        }) else {
            unreachable!()
        };
        let Value::Object(mut args) = json!({
            "name": null,
            "provider": null,
            "settings": {"expiryDays": null}
        }) else {
            unreachable!()
        };
        let mut notes = Vec::new();
        conform_object(&mut args, &schema, &schema, "", &mut notes);
        assert_eq!(Value::Object(args), json!({"name": null, "settings": {}}));
        assert!(notes.is_empty(), "{notes:?}");
    }

    /// 300.5 is not a whole number: it stays as it is, for the parser to refuse clearly.
    #[test]
    fn fractions_are_left_for_the_parser_to_refuse() {
        let schema = schema();
        let Value::Object(mut args) = json!({"maxTokens": 300.5}) else {
            unreachable!()
        };
        conform_object(&mut args, &schema, &schema, "", &mut Vec::new());
        assert_eq!(args["maxTokens"], json!(300.5));
    }
}
