//! MCP prompts: every stored template is a prompt (clients show them as slash commands), plus
//! explain-template, review-template and consultant-prompt.

use std::collections::BTreeMap;

use llmgen_core::{
    CoreError, Store, catalog,
    catalog::{templates, templates::Template},
    team,
};
use rmcp::{
    ErrorData as McpError,
    model::{GetPromptResult, JsonObject, ListPromptsResult, Prompt, PromptArgument, PromptMessage, Role},
};

const EXPLAIN: &str = "explain-template";
const REVIEW: &str = "review-template";
const CONSULTANT: &str = "consultant-prompt";
/// Names of the fixed prompts; a template with one of these names is offered only as a tool.
const FIXED: [&str; 3] = [EXPLAIN, REVIEW, CONSULTANT];

fn invalid(e: impl std::fmt::Display) -> McpError {
    McpError::invalid_params(e.to_string(), None)
}

fn arg(name: &str, description: &str, required: bool) -> PromptArgument {
    PromptArgument::new(name)
        .with_description(description)
        .with_required(required)
}

pub fn list(store: &Store) -> Result<ListPromptsResult, McpError> {
    let mut prompts = vec![
        Prompt::new(
            EXPLAIN,
            Some("Explain what a stored template does and how to use it"),
            Some(vec![arg("name", "Template name", true)]),
        ),
        Prompt::new(
            REVIEW,
            Some("Review a stored template and suggest improvements"),
            Some(vec![arg("name", "Template name", true)]),
        ),
        Prompt::new(
            CONSULTANT,
            Some("Talk to a persona: its system prompt and personality, then your question"),
            Some(vec![
                arg("persona", "Persona name", true),
                arg("question", "What you want to ask", true),
            ]),
        ),
    ];
    for t in catalog::list::<Template>(store).map_err(|e| McpError::internal_error(e.to_string(), None))? {
        if FIXED.contains(&t.name.as_str()) {
            continue;
        }
        let arguments = t
            .parameters
            .iter()
            .map(|p| arg(&p.name, &p.description, p.required && p.default.is_none()))
            .collect();
        prompts.push(Prompt::new(
            t.name.clone(),
            Some(t.description.clone()),
            Some(arguments),
        ));
    }
    Ok(ListPromptsResult::with_all_items(prompts))
}

fn string_args(arguments: JsonObject) -> BTreeMap<String, String> {
    arguments
        .into_iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            (k, text)
        })
        .collect()
}

fn required<'a>(args: &'a BTreeMap<String, String>, name: &str, prompt: &str) -> Result<&'a str, McpError> {
    args.get(name)
        .map(String::as_str)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| invalid(format!("Prompt '{prompt}' needs the argument '{name}'.")))
}

fn user(text: String) -> PromptMessage {
    PromptMessage::new_text(Role::User, text)
}

fn not_found_as_invalid(e: CoreError) -> McpError {
    invalid(e)
}

pub fn get(store: &Store, name: &str, arguments: JsonObject) -> Result<GetPromptResult, McpError> {
    let args = string_args(arguments);
    let (description, messages) = match name {
        EXPLAIN | REVIEW => {
            let template = catalog::get::<Template>(store, required(&args, "name", name)?)
                .map_err(not_found_as_invalid)?;
            let body = serde_json::to_string_pretty(&template).map_err(invalid)?;
            if name == EXPLAIN {
                (
                    "Explain a template".to_string(),
                    vec![user(format!(
                        "Explain in plain language what this prompt template does, what each parameter means, and give one example of values to use.\n\n{body}"
                    ))],
                )
            } else {
                (
                    "Review a template".to_string(),
                    vec![user(format!(
                        "Review this prompt template as an expert prompt engineer: clarity, ambiguity, missing constraints, parameter names and defaults. Suggest an improved version.\n\n{body}"
                    ))],
                )
            }
        }
        CONSULTANT => {
            let persona = required(&args, "persona", name)?;
            // The prompt its contexts send: personality and every inherited rule included.
            let prompt = team::effective_system_prompt(store, persona).map_err(not_found_as_invalid)?;
            let question = required(&args, "question", name)?;
            let text = format!(
                "Act as this persona for the rest of the conversation.\n\n{prompt}\n\n---\n\n{question}"
            );
            (format!("Consult {persona}"), vec![user(text)])
        }
        _ => {
            let template: Template = catalog::get(store, name).map_err(not_found_as_invalid)?;
            let rendered = templates::render(&template, &args).map_err(invalid)?;
            let text = if rendered.system_prompt.trim().is_empty() {
                rendered.user_message
            } else {
                format!("{}\n\n---\n\n{}", rendered.system_prompt, rendered.user_message)
            };
            (template.description, vec![user(text)])
        }
    };
    let mut result = GetPromptResult::new(messages);
    result.description = Some(description);
    Ok(result)
}
