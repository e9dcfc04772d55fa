//! Prompt templates: a system prompt and a user message with `{name}` placeholders, their
//! declared parameters, one-pass rendering, what the catalog stores of them, and the four
//! built-ins.
//!
//! Placeholder syntax: `{name}` where name is `[A-Za-z_][A-Za-z0-9_-]*`; `{{` and `}}` stand for
//! literal braces; any other brace is literal text (so JSON examples in a template stay as written).

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{Row, types::Value};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::CatalogItem;
use crate::{CoreError, Result, limits};

/// One declared parameter of a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TemplateParameter {
    /// Placeholder name, used as `{name}` in the template text.
    pub name: String,
    /// What the value should be; shown to users and to the model.
    #[serde(default)]
    pub description: String,
    /// Whether a value must be given when no default exists.
    #[serde(default = "default_true")]
    pub required: bool,
    /// Value used when the caller gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

fn default_true() -> bool {
    true
}

/// A stored template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Template {
    pub name: String,
    pub description: String,
    pub system_prompt: String,
    pub user_message: String,
    pub parameters: Vec<TemplateParameter>,
    /// True for the shipped templates, which `reset` can restore.
    pub builtin: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// What a user gives to add a template.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NewTemplate {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub system_prompt: String,
    pub user_message: String,
    #[serde(default)]
    pub parameters: Vec<TemplateParameter>,
}

/// Fields to change; absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TemplatePatch {
    pub description: Option<String>,
    pub system_prompt: Option<String>,
    pub user_message: Option<String>,
    pub parameters: Option<Vec<TemplateParameter>>,
}

/// A template's filled-in text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RenderedTemplate {
    pub system_prompt: String,
    pub user_message: String,
}

/// A piece of template text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Segment<'a> {
    Literal(&'a str),
    Placeholder(&'a str),
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Splits template text into literals and placeholders in one left-to-right pass.
fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut literal_start = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        match bytes[i] {
            b'{' if bytes.get(i + 1) == Some(&b'{') => {
                out.push(Segment::Literal(&text[literal_start..i + 1]));
                i += 2;
                literal_start = i;
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => {
                out.push(Segment::Literal(&text[literal_start..i + 1]));
                i += 2;
                literal_start = i;
            }
            b'{' => {
                let rest = &text[i + 1..];
                let name_len = rest
                    .char_indices()
                    .take_while(|&(n, c)| if n == 0 { is_name_start(c) } else { is_name_char(c) })
                    .count();
                if name_len > 0 && rest.as_bytes().get(name_len) == Some(&b'}') {
                    out.push(Segment::Literal(&text[literal_start..i]));
                    out.push(Segment::Placeholder(&rest[..name_len]));
                    i += name_len + 2;
                    literal_start = i;
                } else {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out.push(Segment::Literal(&text[literal_start..]));
    out.retain(|s| !matches!(s, Segment::Literal("")));
    out
}

/// The placeholder names used in a text, in order of first use.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    segments(text)
        .into_iter()
        .filter_map(|s| match s {
            Segment::Placeholder(name) if seen.insert(name) => Some(name.to_string()),
            _ => None,
        })
        .collect()
}

/// Fills placeholders in one pass over the original text: a value is inserted as written and
/// never scanned again.
fn fill(text: &str, values: &BTreeMap<&str, String>) -> String {
    let mut out = String::with_capacity(text.len());
    for segment in segments(text) {
        match segment {
            Segment::Literal(s) => out.push_str(s),
            Segment::Placeholder(name) => out.push_str(values.get(name).map_or("", String::as_str)),
        }
    }
    out
}

/// Checks sizes, the user message, the declared parameters and that every placeholder is
/// declared.
fn validate_template(template: &NewTemplate) -> Result<()> {
    let NewTemplate {
        name,
        description,
        system_prompt,
        user_message,
        parameters,
    } = template;
    let what = format!("Template '{name}'");
    limits::check(&what, "description", description, limits::DESCRIPTION_CHARS)?;
    limits::check(&what, "systemPrompt", system_prompt, limits::PROMPT_CHARS)?;
    limits::check(&what, "userMessage", user_message, limits::PROMPT_CHARS)?;
    if parameters.len() > limits::PARAMETERS {
        return Err(CoreError::invalid(format!(
            "{what} declares {} parameters; the limit is {}. Combine some of them.",
            parameters.len(),
            limits::PARAMETERS
        )));
    }
    for p in parameters {
        let field = format!("the description of parameter '{}'", p.name);
        limits::check(&what, &field, &p.description, limits::DESCRIPTION_CHARS)?;
        if let Some(default) = &p.default {
            let field = format!("the default of parameter '{}'", p.name);
            limits::check(&what, &field, default, limits::PROMPT_CHARS)?;
        }
    }
    if user_message.trim().is_empty() {
        return Err(CoreError::invalid(format!(
            "Template '{name}' needs a non-empty userMessage: it is the message sent to the model."
        )));
    }
    let mut declared = BTreeSet::new();
    for p in parameters {
        let valid = p.name.chars().next().is_some_and(is_name_start) && p.name.chars().all(is_name_char);
        if !valid {
            return Err(CoreError::invalid(format!(
                "Parameter name '{}' is not allowed: use letters, digits, '_' or '-', starting with a letter or '_'.",
                p.name
            )));
        }
        if !declared.insert(p.name.as_str()) {
            return Err(CoreError::invalid(format!(
                "Parameter '{}' is declared twice in template '{name}'. Declare each parameter once.",
                p.name
            )));
        }
    }
    let mut undeclared: Vec<String> = placeholders(system_prompt)
        .into_iter()
        .chain(placeholders(user_message))
        .filter(|p| !declared.contains(p.as_str()))
        .collect();
    undeclared.dedup();
    if !undeclared.is_empty() {
        let list = undeclared
            .iter()
            .map(|p| format!("{{{p}}}"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(CoreError::invalid(format!(
            "Template '{name}' uses {list} but declares no parameter of that name. Add it to 'parameters', or write {{{{ and }}}} for literal braces."
        )));
    }
    Ok(())
}

/// Renders a template with caller-given values. Unknown names and missing required values are
/// errors that name what to fix.
pub fn render(template: &Template, args: &BTreeMap<String, String>) -> Result<RenderedTemplate> {
    let declared: BTreeSet<&str> = template.parameters.iter().map(|p| p.name.as_str()).collect();
    let unknown: Vec<&str> = args
        .keys()
        .map(String::as_str)
        .filter(|k| !declared.contains(k))
        .collect();
    if !unknown.is_empty() {
        return Err(CoreError::invalid(format!(
            "Template '{}' has no parameter {}. Its parameters are: {}.",
            template.name,
            unknown
                .iter()
                .map(|u| format!("'{u}'"))
                .collect::<Vec<_>>()
                .join(", "),
            describe_parameters(&template.parameters)
        )));
    }
    let mut values = BTreeMap::new();
    let mut missing = Vec::new();
    for p in &template.parameters {
        // An empty value counts as not given: clients send unfilled prompt arguments as "".
        let given = args.get(&p.name).filter(|v| !v.trim().is_empty());
        match given.or(p.default.as_ref()) {
            Some(v) => {
                values.insert(p.name.as_str(), v.clone());
            }
            None if p.required => missing.push(p.name.as_str()),
            None => {
                values.insert(p.name.as_str(), String::new());
            }
        }
    }
    if !missing.is_empty() {
        return Err(CoreError::invalid(format!(
            "Template '{}' needs a value for {}. Pass them in 'args', e.g. {{\"{}\": \"...\"}}.",
            template.name,
            missing
                .iter()
                .map(|m| format!("'{m}'"))
                .collect::<Vec<_>>()
                .join(", "),
            missing[0]
        )));
    }
    Ok(RenderedTemplate {
        system_prompt: fill(&template.system_prompt, &values),
        user_message: fill(&template.user_message, &values),
    })
}

fn describe_parameters(parameters: &[TemplateParameter]) -> String {
    if parameters.is_empty() {
        return "none".into();
    }
    parameters
        .iter()
        .map(|p| match (&p.default, p.required) {
            (Some(d), _) => format!("{} (default '{d}')", p.name),
            (None, true) => format!("{} (required)", p.name),
            (None, false) => format!("{} (optional)", p.name),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl CatalogItem for Template {
    type New = NewTemplate;
    type Patch = TemplatePatch;

    const KIND: &'static str = "Template";
    const SEED_KIND: &'static str = "template";
    const NOT_FOUND_HINT: &'static str = "List templates with template-manage action 'list'.";
    const TABLE: &'static str = "templates";
    const CONTENT_COLUMNS: &'static [&'static str] =
        &["description", "system_prompt", "user_message", "parameters"];

    fn name_of(new: &NewTemplate) -> &str {
        &new.name
    }

    fn validate(new: &NewTemplate) -> Result<()> {
        validate_template(new)
    }

    fn values(t: &NewTemplate) -> Result<Vec<Value>> {
        Ok(vec![
            t.description.clone().into(),
            t.system_prompt.clone().into(),
            t.user_message.clone().into(),
            // Parameters are stored as one JSON array.
            serde_json::to_string(&t.parameters)?.into(),
        ])
    }

    fn from_row(row: &Row<'_>) -> Result<Self> {
        let parameters: String = row.get("parameters")?;
        Ok(Template {
            name: row.get("name")?,
            description: row.get("description")?,
            system_prompt: row.get("system_prompt")?,
            user_message: row.get("user_message")?,
            parameters: serde_json::from_str(&parameters)?,
            builtin: row.get("builtin")?,
            created_at: row.get("created_at")?,
            updated_at: row.get("updated_at")?,
        })
    }

    fn patched(current: Template, patch: TemplatePatch) -> NewTemplate {
        NewTemplate {
            name: current.name,
            description: patch.description.unwrap_or(current.description),
            system_prompt: patch.system_prompt.unwrap_or(current.system_prompt),
            user_message: patch.user_message.unwrap_or(current.user_message),
            parameters: patch.parameters.unwrap_or(current.parameters),
        }
    }

    fn builtins() -> Vec<NewTemplate> {
        builtins()
    }
}

fn param(name: &str, description: &str, default: Option<&str>) -> TemplateParameter {
    TemplateParameter {
        name: name.into(),
        description: description.into(),
        required: default.is_none(),
        default: default.map(Into::into),
    }
}

/// The shipped templates (the four of the TypeScript server, same names and parameters).
pub fn builtins() -> Vec<NewTemplate> {
    vec![
        NewTemplate {
            name: "explain-topic".into(),
            description: "Explain a topic for a given audience, in a chosen style and length.".into(),
            system_prompt: "You are a patient teacher. Explain clearly and accurately for {audience}, in a {style} style. If something is uncertain or disputed, say so.".into(),
            user_message: "Explain {topic}. Keep it {length}.".into(),
            parameters: vec![
                param("topic", "What to explain", None),
                param("style", "Tone, e.g. simple, technical, playful", Some("clear and friendly")),
                param("length", "How long, e.g. one paragraph, 200 words", Some("short: about three paragraphs")),
                param("audience", "Who reads it, e.g. beginners, engineers", Some("a curious non-specialist")),
            ],
        },
        NewTemplate {
            name: "code-review".into(),
            description: "Review code with a focus on one aspect (correctness, security, performance, style).".into(),
            system_prompt: "You are a senior {language} engineer doing a careful code review. Focus on {aspect}. Point to specific lines, explain why each point matters, and suggest a fix. Say clearly when the code is fine.".into(),
            user_message: "Please review this {language} code:\n\n```\n{code}\n```".into(),
            parameters: vec![
                param("language", "Programming language of the code", None),
                param("aspect", "What to focus on", Some("correctness, readability and security")),
                param("code", "The code to review", None),
            ],
        },
        NewTemplate {
            name: "translate-text".into(),
            description: "Translate text between languages, keeping meaning, tone and formatting.".into(),
            system_prompt: "You are a professional translator from {source_lang} to {target_lang}. Keep the meaning, tone and formatting. Reply with the translation only.".into(),
            user_message: "{text}".into(),
            parameters: vec![
                param("source_lang", "Language of the text", Some("the detected language")),
                param("target_lang", "Language to translate into", None),
                param("text", "The text to translate", None),
            ],
        },
        NewTemplate {
            name: "summarize-content".into(),
            description: "Summarise content in a chosen format with an optional focus.".into(),
            system_prompt: "You summarise faithfully: no facts that are not in the source. Format: {format}. Focus: {focus}.".into(),
            user_message: "Summarise the following content:\n\n{content}".into(),
            parameters: vec![
                param("format", "e.g. bullet points, one paragraph, TL;DR", Some("bullet points")),
                param("focus", "What matters most to the reader", Some("the main points and any decisions or actions")),
                param("content", "The content to summarise", None),
            ],
        },
    ]
}

#[cfg(test)]
mod tests;
