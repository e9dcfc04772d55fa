//! MCP resources: the template and persona catalogues, one template or persona, a context's
//! history, the server's status and the memory change feed. All JSON except the history
//! (Markdown).

use llmgen_core::{
    CoreError, Store, catalog,
    catalog::{personas::Persona, templates::Template},
    conversation::contexts,
};
use rmcp::{
    ErrorData as McpError,
    model::{
        ListResourceTemplatesResult, ListResourcesResult, ReadResourceResult, Resource, ResourceContents,
        ResourceTemplate,
    },
    service::{RequestContext, RoleServer},
};

use super::LlmGenServer;

pub const TEMPLATES: &str = "llmgen://templates";
pub const PERSONAS: &str = "llmgen://personas";
pub const STATUS: &str = "llmgen://status";

fn internal(e: impl std::fmt::Display) -> McpError {
    McpError::internal_error(e.to_string(), None)
}

fn core_error(uri: &str, e: CoreError) -> McpError {
    match e {
        CoreError::NotFound { .. } | CoreError::ContextExpired(_) => {
            McpError::resource_not_found(format!("{uri}: {e}"), None)
        }
        other => internal(other),
    }
}

pub fn list(store: &Store) -> Result<ListResourcesResult, McpError> {
    let json = "application/json";
    let mut items = vec![
        Resource::new(TEMPLATES, "templates")
            .with_title("Prompt templates")
            .with_description("Every stored template")
            .with_mime_type(json),
        Resource::new(PERSONAS, "personas")
            .with_title("Personas")
            .with_description("Every stored persona")
            .with_mime_type(json),
        Resource::new(STATUS, "status")
            .with_title("Server status")
            .with_description("Version, data folder, schema, counts and exposed tools")
            .with_mime_type(json),
        Resource::new(super::memory_feed::FEED, "memory feed")
            .with_title("Memory changes")
            .with_description("Every change to the memory, oldest first; subscribe to hear of new ones")
            .with_mime_type(json),
    ];
    for t in catalog::list::<Template>(store).map_err(internal)? {
        items.push(
            Resource::new(format!("{TEMPLATES}/{}", t.name), format!("template {}", t.name))
                .with_description(t.description)
                .with_mime_type(json),
        );
    }
    for p in catalog::list::<Persona>(store).map_err(internal)? {
        items.push(
            Resource::new(format!("{PERSONAS}/{}", p.name), format!("persona {}", p.name))
                .with_description(p.description)
                .with_mime_type(json),
        );
    }
    Ok(ListResourcesResult::with_all_items(items))
}

pub fn templates() -> ListResourceTemplatesResult {
    ListResourceTemplatesResult::with_all_items(vec![
        ResourceTemplate::new(format!("{TEMPLATES}/{{name}}"), "template")
            .with_description("One prompt template")
            .with_mime_type("application/json"),
        ResourceTemplate::new(format!("{PERSONAS}/{{name}}"), "persona")
            .with_description("One persona")
            .with_mime_type("application/json"),
        ResourceTemplate::new("llmgen://contexts/{contextId}/history", "context history")
            .with_description("A context's conversation as Markdown")
            .with_mime_type("text/markdown"),
        ResourceTemplate::new(super::memory_feed::FEED_TEMPLATE, "memory feed")
            .with_description("Memory changes after since, as the persona asPersona may read them")
            .with_mime_type("application/json"),
    ])
}

fn json_contents(uri: &str, value: &impl serde::Serialize) -> Result<ReadResourceResult, McpError> {
    let text = serde_json::to_string_pretty(value).map_err(internal)?;
    Ok(ReadResourceResult::new(vec![
        ResourceContents::text(text, uri).with_mime_type("application/json"),
    ]))
}

pub fn read(
    server: &LlmGenServer,
    uri: &str,
    ctx: &RequestContext<RoleServer>,
) -> Result<ReadResourceResult, McpError> {
    let store = &server.inner.store;
    if uri == TEMPLATES {
        return json_contents(uri, &catalog::list::<Template>(store).map_err(internal)?);
    }
    if uri == PERSONAS {
        return json_contents(uri, &catalog::list::<Persona>(store).map_err(internal)?);
    }
    if uri == STATUS {
        return json_contents(uri, &status(server, ctx)?);
    }
    if let Some(page) = super::memory_feed::read(store, uri) {
        return json_contents(uri, &page?);
    }
    if let Some(name) = uri.strip_prefix(&format!("{TEMPLATES}/")) {
        return json_contents(
            uri,
            &catalog::get::<Template>(store, name).map_err(|e| core_error(uri, e))?,
        );
    }
    if let Some(name) = uri.strip_prefix(&format!("{PERSONAS}/")) {
        return json_contents(
            uri,
            &catalog::get::<Persona>(store, name).map_err(|e| core_error(uri, e))?,
        );
    }
    if let Some(id) = uri
        .strip_prefix("llmgen://contexts/")
        .and_then(|rest| rest.strip_suffix("/history"))
    {
        let text =
            contexts::export(store, id, contexts::ExportFormat::Markdown).map_err(|e| core_error(uri, e))?;
        return Ok(ReadResourceResult::new(vec![
            ResourceContents::text(text, uri).with_mime_type("text/markdown"),
        ]));
    }
    Err(McpError::resource_not_found(
        format!("Unknown resource {uri}. resources/list and resources/templates/list show what exists."),
        None,
    ))
}

fn status(server: &LlmGenServer, ctx: &RequestContext<RoleServer>) -> Result<serde_json::Value, McpError> {
    let inner = &server.inner;
    let store = &inner.store;
    Ok(serde_json::json!({
        "version": llmgen_core::VERSION,
        "dataDir": inner.data_dir.root(),
        "database": store.path(),
        "schemaVersion": store.schema_version().map_err(internal)?,
        "protocolVersion": ctx.protocol_version().map(|v| v.as_str().to_string()),
        "clientSupportsSampling": ctx.client_capabilities().is_some_and(|c| c.sampling.is_some()),
        "toolGroups": inner.settings.tool_groups,
        // Direct providers at 80 % or more of their monthly budget (provider-status has details).
        "budgetWarnings": llmgen_core::generation::usage::budget_warnings(store).map_err(internal)?,
        "tools": server.tool_names(),
        "counts": llmgen_core::operations::status::counts(store).map_err(internal)?,
    }))
}
