//! Compacting a tool's input schema: what schemars writes that tells a model nothing is taken
//! out, so that the tool list every client sends with every request costs fewer tokens. Every
//! constraint a call is checked against stays (types, enums, ranges, `required`).
//!
//! Optional fields are published the way the TypeScript server we replace published them:
//! absent from `required`, without a `null` alternative. The server still takes `null` for them
//! (see `mcp::compat`), as clients and models send it.

use std::collections::{BTreeMap, BTreeSet};

use rmcp::model::JsonObject;
use serde_json::Value;

/// Compacts `schema` (a tool's input schema, an object schema at its root) in place.
pub fn compact(schema: &mut JsonObject) {
    // JSON Schema 2020-12 is MCP's default dialect (SEP-1613): saying so on every tool is noise.
    schema.remove("$schema");
    let mut root = Value::Object(std::mem::take(schema));
    visit(&mut root, &mut |node| {
        unwrap_doc_lines(node);
        optional_properties_without_null(node);
        drop_empty_default(node);
        drop_open_map_marker(node);
    });
    if let Value::Object(object) = &mut root {
        inline_single_use_defs(object);
    }
    visit(&mut root, &mut |node| {
        string_unions_as_enums(node);
        items_described_by_their_array(node);
    });
    if let Value::Object(object) = root {
        *schema = object;
    }
}

/// Calls `f` on `schema` and then on each of its subschemas, at any depth (`f` may rewrite a
/// node; what it leaves there is what is walked).
fn visit(schema: &mut Value, f: &mut impl FnMut(&mut JsonObject)) {
    let Value::Object(node) = schema else { return };
    f(node);
    for (key, child) in node.iter_mut() {
        match (key.as_str(), child) {
            (
                "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas",
                Value::Object(named),
            ) => named.values_mut().for_each(|s| visit(s, f)),
            ("allOf" | "anyOf" | "oneOf" | "prefixItems", Value::Array(list)) => {
                list.iter_mut().for_each(|s| visit(s, f));
            }
            (
                "items"
                | "additionalProperties"
                | "contains"
                | "propertyNames"
                | "not"
                | "if"
                | "then"
                | "else"
                | "unevaluatedItems"
                | "unevaluatedProperties",
                single,
            ) => visit(single, f),
            _ => {}
        }
    }
}

/// Doc comments wrap at a line length: a line break inside a paragraph becomes a space, unless
/// the next line is a list item ("- ", "* ").
fn unwrap_doc_lines(node: &mut JsonObject) {
    if let Some(Value::String(text)) = node.get_mut("description")
        && text.contains('\n')
    {
        let mut joined = String::with_capacity(text.len());
        for (i, line) in text.split('\n').map(str::trim).enumerate() {
            let keeps_break =
                line.is_empty() || joined.ends_with('\n') || line.starts_with("- ") || line.starts_with("* ");
            if i > 0 {
                joined.push(if keeps_break { '\n' } else { ' ' });
            }
            joined.push_str(line);
        }
        *text = joined;
    }
}

/// A property outside `required` may simply be left out: its `null` alternative (schemars'
/// rendering of `Option<T>`) is dropped.
fn optional_properties_without_null(node: &mut JsonObject) {
    let required: Vec<String> = node
        .get("required")
        .and_then(Value::as_array)
        .map(|names| {
            names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let Some(Value::Object(properties)) = node.get_mut("properties") else {
        return;
    };
    for (name, property) in properties.iter_mut() {
        if let (false, Value::Object(property)) = (required.contains(name), property) {
            without_null(property);
        }
    }
}

/// Removes `null` from what `schema` accepts: from `type`, `enum` and `anyOf`/`oneOf` branches
/// (a union left with one branch becomes that branch). A schema that accepts nothing but `null`
/// is left as it is.
fn without_null(schema: &mut JsonObject) {
    let null_type = Value::from("null");
    let null_branch = serde_json::json!({"type": "null"});
    if let Some(Value::Array(types)) = schema.get_mut("type")
        && types.iter().any(|t| t != &null_type)
    {
        types.retain(|t| t != &null_type);
        if let [only] = types.as_slice() {
            let only = only.clone();
            schema.insert("type".into(), only);
        }
    }
    if let Some(Value::Array(values)) = schema.get_mut("enum")
        && values.iter().any(|v| !v.is_null())
    {
        values.retain(|v| !v.is_null());
    }
    for union in ["anyOf", "oneOf"] {
        let Some(Value::Array(branches)) = schema.get_mut(union) else {
            continue;
        };
        if branches.iter().all(|b| b == &null_branch) {
            continue;
        }
        branches.retain(|b| b != &null_branch);
        let only = match branches.as_slice() {
            [Value::Object(only)] => only.clone(),
            _ => continue,
        };
        if only.keys().all(|k| !schema.contains_key(k)) {
            schema.remove(union);
            schema.extend(only);
        }
    }
}

/// A default that is what an absent field means anyway (`null`, `false`, `""`, `[]`, `{}`)
/// says nothing.
fn drop_empty_default(node: &mut JsonObject) {
    let empty = match node.get("default") {
        Some(Value::Null | Value::Bool(false)) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        _ => false,
    };
    if empty {
        node.remove("default");
    }
}

/// `additionalProperties: true` is what JSON Schema assumes; beside no named properties (a free
/// map such as template args) it says nothing. Beside named ones it stays: `mcp::compat` keeps
/// unknown fields of such an object instead of dropping them.
fn drop_open_map_marker(node: &mut JsonObject) {
    let named = node.contains_key("properties") || node.contains_key("patternProperties");
    if !named && node.get("additionalProperties") == Some(&Value::Bool(true)) {
        node.remove("additionalProperties");
    }
}

/// An array that says what it holds needs no second sentence on each item (the item's type's
/// own doc comment, as schemars writes it in).
fn items_described_by_their_array(node: &mut JsonObject) {
    if !node.contains_key("description") {
        return;
    }
    if let Some(Value::Object(items)) = node.get_mut("items") {
        items.remove("description");
    }
}

/// Keywords that describe rather than constrain: where a reference and the definition it points
/// to both give one, the reference's (the more specific) is kept.
const ANNOTATIONS: &[&str] = &["description", "title", "default", "examples", "deprecated"];

/// Replaces each `$ref` to a definition used only once (and not by itself) with the definition,
/// and drops `$defs` when it is left empty. A definition is worth its name only when shared;
/// inline schemas are also what the simplest clients understand.
fn inline_single_use_defs(root: &mut JsonObject) {
    let mut kept = BTreeSet::new();
    loop {
        let Some(Value::Object(defs)) = root.get("$defs") else {
            return;
        };
        let uses = count_refs(root.values());
        let single_use = defs.iter().find(|(name, body)| {
            let pointer = pointer_to(name);
            !kept.contains(*name)
                && uses.get(&pointer) == Some(&1)
                && !count_refs(std::iter::once(*body)).contains_key(&pointer)
        });
        let Some((name, body)) = single_use.map(|(n, b)| (n.clone(), b.clone())) else {
            return;
        };
        let mut tree = Value::Object(std::mem::take(root));
        let inlined = replace_ref(&mut tree, &pointer_to(&name), &body);
        if let Value::Object(object) = tree {
            *root = object;
        }
        if !inlined {
            // Its one use adds keywords that contradict it: it stays a reference.
            kept.insert(name);
            continue;
        }
        if let Some(Value::Object(defs)) = root.get_mut("$defs") {
            defs.remove(&name);
            if defs.is_empty() {
                root.remove("$defs");
            }
        }
    }
}

fn pointer_to(def: &str) -> String {
    format!("#/$defs/{def}")
}

/// How many times each `$ref` target is referred to in `values`, at any depth.
fn count_refs<'a>(values: impl Iterator<Item = &'a Value>) -> BTreeMap<String, usize> {
    fn count(value: &Value, uses: &mut BTreeMap<String, usize>) {
        match value {
            Value::Object(object) => {
                if let Some(Value::String(pointer)) = object.get("$ref") {
                    *uses.entry(pointer.clone()).or_default() += 1;
                }
                object.values().for_each(|v| count(v, uses));
            }
            Value::Array(items) => items.iter().for_each(|v| count(v, uses)),
            _ => {}
        }
    }
    let mut uses = BTreeMap::new();
    values.for_each(|v| count(v, &mut uses));
    uses
}

/// Replaces the schema that refers to `pointer` with `body` merged with the referring schema's
/// other keywords (its annotations win). False if they contradict, leaving the reference.
fn replace_ref(value: &mut Value, pointer: &str, body: &Value) -> bool {
    match value {
        Value::Object(object) if object.get("$ref").and_then(Value::as_str) == Some(pointer) => {
            let Value::Object(body) = body else { return false };
            let mut merged = body.clone();
            for (key, sibling) in object.iter().filter(|(k, _)| *k != "$ref") {
                match merged.get(key) {
                    Some(existing) if existing != sibling && !ANNOTATIONS.contains(&key.as_str()) => {
                        return false;
                    }
                    _ => {
                        merged.insert(key.clone(), sibling.clone());
                    }
                }
            }
            *object = merged;
            true
        }
        Value::Object(object) => object.values_mut().any(|v| replace_ref(v, pointer, body)),
        Value::Array(items) => items.iter_mut().any(|v| replace_ref(v, pointer, body)),
        _ => false,
    }
}

/// A union of string constants (a Rust enum with documented variants) becomes one `enum`, its
/// variants' descriptions one line each ("value: what it does") after the schema's own. A
/// union of constants and a plain string (a value with named special cases) becomes a string
/// described the same way.
fn string_unions_as_enums(node: &mut JsonObject) {
    for union in ["oneOf", "anyOf"] {
        let Some(Value::Array(branches)) = node.get(union) else {
            continue;
        };
        let mut values = Vec::new();
        let mut lines = Vec::new();
        let mut open = 0;
        for branch in branches {
            match string_branch(branch) {
                Some((Some(value), text)) => {
                    lines.extend(text.map(|t| format!("{value}: {t}")));
                    values.push(Value::String(value.to_owned()));
                }
                Some((None, text)) => {
                    open += 1;
                    lines.extend(text.map(str::to_owned));
                }
                None => return,
            }
        }
        if open > 1 || values.is_empty() {
            return;
        }
        node.remove(union);
        node.insert("type".into(), "string".into());
        if open == 0 {
            node.insert("enum".into(), Value::Array(values));
        }
        let head = node.get("description").and_then(Value::as_str).map(str::to_owned);
        let text: Vec<String> = head.into_iter().chain(lines).collect();
        if !text.is_empty() {
            node.insert("description".into(), text.join("\n").into());
        }
        return;
    }
}

/// A branch that is a string constant (`Some(value)`) or any string (`None`), with only a
/// description beside it; with that description.
fn string_branch(branch: &Value) -> Option<(Option<&str>, Option<&str>)> {
    let branch = branch.as_object()?;
    if branch.get("type").and_then(Value::as_str) != Some("string")
        || branch
            .keys()
            .any(|k| !["type", "const", "description"].contains(&k.as_str()))
    {
        return None;
    }
    let value = match branch.get("const") {
        Some(Value::String(value)) => Some(value.as_str()),
        Some(_) => return None,
        None => None,
    };
    Some((value, branch.get("description").and_then(Value::as_str)))
}

#[cfg(test)]
mod tests;
