//! `team tree` and `task list|get|cancel`: the command-line face of core's team. The same core
//! functions as the `persona-manage` and `task-manage` tools; they act as the user (every
//! delegation) or, with `--as-persona`, as that persona (its own, and a lead's team's).
#![allow(clippy::print_stdout)] // this is the CLI's output; the serve path never prints

use std::io::Write;

use clap::Subcommand;
use llmgen_core::{
    CoreError, Store,
    team::{
        self, Actor, TeamMember,
        delegation::{self, Delegation, DelegationFilter, Status},
    },
};
use serde::Serialize;

#[derive(Subcommand)]
pub enum TeamAction {
    /// The personas as a tree: each one's role, expertise and restrictions (own and inherited).
    Tree {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum TaskAction {
    /// Delegated tasks, newest first.
    List {
        /// Only tasks in this status: pending, running, done, failed or cancelled.
        #[arg(long, value_name = "STATUS")]
        status: Option<String>,
        /// Only tasks delegated by or to this persona ("user": the tasks you gave).
        #[arg(long, value_name = "NAME")]
        persona: Option<String>,
        /// How many (1 to 100; default 20).
        #[arg(long, value_name = "N")]
        limit: Option<u32>,
        /// Skip this many of the newest first (the next page).
        #[arg(long, value_name = "N")]
        offset: Option<u64>,
        /// List as this persona: its own tasks (a lead: also its team's).
        #[arg(long, value_name = "NAME")]
        as_persona: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// One task in full: who asked whom, why that persona, how it went and what came back.
    Get {
        id: i64,
        #[arg(long, value_name = "NAME")]
        as_persona: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Cancel a pending or running task: the server running it stops and stores no result.
    Cancel {
        id: i64,
        #[arg(long, value_name = "NAME")]
        as_persona: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

/// One line of the tree for scripts: the member and how many rules it follows in all.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TreeLine {
    #[serde(flatten)]
    member: TeamMember,
    /// Its own restrictions plus its ancestors' (what its contexts always follow).
    effective_restrictions: usize,
}

pub fn team(store: &Store, action: TeamAction) -> anyhow::Result<()> {
    let TeamAction::Tree { json } = action;
    let lines = team::members(store)?
        .into_iter()
        .map(|member| {
            let effective_restrictions = team::view(store, &member.name)?.effective_restrictions.len();
            Ok(TreeLine {
                member,
                effective_restrictions,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&lines)?);
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    for line in &lines {
        // A closed pipe (`team tree | head`) ends the output quietly.
        if writeln!(out, "{}", tree_line(line)).is_err() {
            return Ok(());
        }
    }
    Ok(())
}

/// `  name (role) — expertise: a, b — restrictions: 1 own, 2 inherited`, indented by depth.
fn tree_line(line: &TreeLine) -> String {
    let m = &line.member;
    let mut text = format!(
        "{}{} ({})",
        "  ".repeat(m.depth as usize),
        m.name,
        m.role.as_str()
    );
    if !m.expertise.is_empty() {
        text.push_str(&format!(" — expertise: {}", m.expertise.join(", ")));
    }
    let inherited = line.effective_restrictions.saturating_sub(m.restrictions.len());
    if line.effective_restrictions > 0 {
        text.push_str(&format!(
            " — restrictions: {} own, {inherited} inherited",
            m.restrictions.len()
        ));
    }
    text
}

fn parse_status(text: &str) -> anyhow::Result<Status> {
    Status::parse(text.trim()).ok_or_else(|| {
        anyhow::anyhow!("Unknown status '{text}': use pending, running, done, failed or cancelled.")
    })
}

pub fn task(store: &Store, action: TaskAction) -> anyhow::Result<()> {
    match action {
        TaskAction::List {
            status,
            persona,
            limit,
            offset,
            as_persona,
            json,
        } => {
            let actor = Actor::from_as_persona(store, as_persona.as_deref())?;
            let filter = DelegationFilter {
                status: status.as_deref().map(parse_status).transpose()?,
                persona,
                offset,
                limit,
            };
            let page = delegation::list(store, &actor, &filter)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&page)?);
                return Ok(());
            }
            if page.items.is_empty() {
                println!("No delegated tasks match.");
                return Ok(());
            }
            let mut out = std::io::stdout().lock();
            for d in &page.items {
                if writeln!(out, "{}", list_line(d)).is_err() {
                    return Ok(());
                }
            }
            let more = page
                .next_offset
                .map(|next| format!(" (more: --offset {next})"))
                .unwrap_or_default();
            let _ = writeln!(out, "{} task(s){more}.", page.total);
            Ok(())
        }
        TaskAction::Get { id, as_persona, json } => {
            let actor = Actor::from_as_persona(store, as_persona.as_deref())?;
            let d = delegation::get(store, &actor, id).map_err(|e| in_cli_words(e, id))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&d)?);
            } else {
                print_details(&d);
            }
            Ok(())
        }
        TaskAction::Cancel { id, as_persona, json } => {
            let actor = Actor::from_as_persona(store, as_persona.as_deref())?;
            let d = delegation::cancel(store, &actor, id).map_err(|e| in_cli_words(e, id))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&d)?);
            } else {
                println!("Task {id} is cancelled: the server running it stops and stores no result.");
            }
            Ok(())
        }
    }
}

/// A task that is not there (or not the acting persona's to see), with the command that lists
/// them instead of the tool's hint.
fn in_cli_words(e: CoreError, id: i64) -> anyhow::Error {
    match e {
        CoreError::NotFound { .. } => anyhow::anyhow!(
            "Task {id} was not found. List tasks with `mcp-llm-generator task list` (with --as-persona, only those that persona may see)."
        ),
        e => e.into(),
    }
}

/// `#id  status  from → to  task` (the task on one line, cut at 60 characters).
fn list_line(d: &Delegation) -> String {
    let short = llmgen_core::text::one_line(&d.task, 60);
    format!(
        "#{}  {:<9}  {} → {}  {short}",
        d.id,
        d.status.as_str(),
        d.from.as_deref().unwrap_or("you"),
        d.to
    )
}

fn print_details(d: &Delegation) {
    println!(
        "Task {} ({}, {} priority): {}",
        d.id,
        d.status.as_str(),
        d.priority.as_str(),
        d.task
    );
    println!(
        "  from {} to {} ({})",
        d.from.as_deref().unwrap_or("you"),
        d.to,
        d.kind.as_str()
    );
    if !d.expertise.is_empty() {
        println!("  expertise asked: {}", d.expertise.join(", "));
    }
    if !d.choice.reason.is_empty() {
        println!("  why {}: {}", d.to, d.choice.reason);
    }
    if !d.choice.ties.is_empty() {
        println!("  tied with: {}", d.choice.ties.join(", "));
    }
    let mut when = format!("  delegated {}", d.created_at);
    if let Some(at) = &d.started_at {
        when.push_str(&format!(", started {at}"));
    }
    if let Some(at) = &d.finished_at {
        when.push_str(&format!(", ended {at}"));
    }
    println!("{when}");
    if let Some(route) = &d.route {
        let model = d
            .model
            .as_deref()
            .map(|m| format!(", model {m}"))
            .unwrap_or_default();
        let tokens = match (d.input_tokens, d.output_tokens) {
            (Some(i), Some(o)) => format!(", {i} in / {o} out tokens"),
            _ => String::new(),
        };
        println!("  route {route}{model}{tokens}");
    }
    if let Some(context) = &d.context_id {
        println!("  context {context} (context-manage get, or the app's Contexts screen)");
    }
    if let Some(error) = &d.error {
        println!("  {error}");
    }
    if let Some(result) = &d.result {
        println!("Result:\n{result}");
    }
}
