//! Keys that occur more than once in one JSON object. JSON readers, and so the clients, keep only
//! the last occurrence, while a tree editor finds the first: the earlier ones are dead text that
//! looks alive. We find the ones that matter to us (the servers section, our entry) with their
//! lines, so they can be reported and, for our entry, cleaned up by configuring again.

use jsonc_parser::ast::{Object, Value};
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};

/// A key found more than once in the same object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub key: String,
    /// The object holding it: `None` for the document's root, else the servers section's key.
    pub within: Option<String>,
    /// 1-based line of the first occurrence.
    pub first_line: usize,
    /// 1-based line and column of the next occurrence.
    pub line: usize,
    pub column: usize,
}

impl Duplicate {
    /// Whether this is our entry repeated in the servers section (which configuring again fixes),
    /// rather than the servers section repeated (which only the user can merge).
    pub fn is_entry(&self) -> bool {
        self.within.is_some()
    }

    /// What `clients list` shows: the key, both lines, and what to do.
    pub fn message(&self) -> String {
        match &self.within {
            Some(section) => format!(
                "duplicate key \"{}\" in \"{section}\" on lines {} and {}; clients use only the last one, and configuring this client again keeps just that one",
                self.key, self.first_line, self.line
            ),
            None => format!(
                "duplicate key \"{}\" on lines {} and {}; clients read only the last one and ignore the servers in the others, so merge them into one by hand",
                self.key, self.first_line, self.line
            ),
        }
    }
}

/// The first duplicate that matters to us in `body` (text without a BOM): the servers section
/// `top_key` at the root, else entry `name` inside the last such section (the one clients read).
/// `None` when there is none, or when the text does not parse (parse errors are reported apart).
pub fn find(body: &str, options: &ParseOptions, top_key: &str, name: &str) -> Option<Duplicate> {
    let ast = parse_to_ast(body, &CollectOptions::default(), options).ok()?;
    let Some(Value::Object(root)) = ast.value else {
        return None;
    };
    if let Some(found) = repeated(body, &root, top_key, None) {
        return Some(found);
    }
    let section = root
        .properties
        .iter()
        .rev()
        .find(|p| p.name.as_str() == top_key)?;
    match &section.value {
        Value::Object(section) => repeated(body, section, name, Some(top_key)),
        _ => None,
    }
}

fn repeated(body: &str, object: &Object, key: &str, within: Option<&str>) -> Option<Duplicate> {
    let mut found = object.properties.iter().filter(|p| p.name.as_str() == key);
    let first = found.next()?;
    let again = found.next()?;
    let (first_line, _) = super::document::line_and_column(body, first.range.start);
    let (line, column) = super::document::line_and_column(body, again.range.start);
    Some(Duplicate {
        key: key.to_string(),
        within: within.map(str::to_string),
        first_line,
        line,
        column,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_repeated_at_the_root_comes_before_our_entry_repeated_inside() {
        // Proves: positions are 1-based lines and columns of the repeats; a repeated section is
        // reported first; only the last section is searched for our entry, as clients read it.
        let options = ParseOptions::default();
        let ours = "{\n  \"mcpServers\": {\n    \"llm-generator\": {},\n    \"x\": {},\n    \"llm-generator\": {}\n  }\n}";
        let found = find(ours, &options, "mcpServers", "llm-generator").expect("found");
        assert_eq!((found.first_line, found.line, found.column), (3, 5, 5));
        assert!(found.is_entry());
        assert!(
            found
                .message()
                .contains("\"llm-generator\" in \"mcpServers\" on lines 3 and 5")
        );
        let sections =
            "{\"mcpServers\": {\"llm-generator\": {}, \"llm-generator\": {}},\n\"mcpServers\": {}}";
        let found = find(sections, &options, "mcpServers", "llm-generator").expect("found");
        assert_eq!(
            (found.key.as_str(), found.first_line, found.line),
            ("mcpServers", 1, 2)
        );
        assert!(!found.is_entry());
        assert_eq!(
            find(
                "{\"mcpServers\": {\"a\": 1, \"b\": 2}}",
                &options,
                "mcpServers",
                "a"
            ),
            None
        );
        assert_eq!(
            find("{", &options, "mcpServers", "a"),
            None,
            "parse errors are not duplicates"
        );
    }
}
