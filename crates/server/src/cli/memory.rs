//! `memory search` and `memory export`: the command-line face of core's memory. They act as the
//! user (every note) or, with `--as-persona`, as that persona (its own notes and shared ones).
#![allow(clippy::print_stdout)] // this is the CLI's output; the serve path never prints

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use llmgen_core::{
    Store,
    memory::{self, Actor, ExportFormat, OwnerFilter, SearchHit, SearchPage, SearchQuery},
};

#[derive(Subcommand)]
pub enum MemoryAction {
    /// Search the notes: full text (Japanese included), ranked; with filters and related notes.
    Search(SearchArgs),
    /// Write every note you (or a persona) may read, as JSON or Markdown.
    Export(ExportArgs),
}

#[derive(clap::Args)]
pub struct SearchArgs {
    /// What to look for (leave it out to list the newest notes).
    #[arg(value_name = "QUERY", default_value = "")]
    query: String,
    /// Only notes with this tag; repeat it for notes with all of several tags.
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Only notes this persona owns ("user": your own notes).
    #[arg(long, value_name = "NAME")]
    owner: Option<String>,
    /// How many hits (1 to 50; default 10).
    #[arg(long, value_name = "N")]
    limit: Option<u32>,
    /// Also show notes linked to the hits or sharing their tags, after the hits.
    #[arg(long)]
    related: bool,
    /// Search as this persona: only its own notes and those others share.
    #[arg(long, value_name = "NAME")]
    as_persona: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Markdown,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// The file to write (replaced whole, never left half-written); default: standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Export as this persona: only its own notes and those others share.
    #[arg(long, value_name = "NAME")]
    as_persona: Option<String>,
}

pub fn memory(store: &Store, action: MemoryAction) -> anyhow::Result<()> {
    match action {
        MemoryAction::Search(args) => search(store, args),
        MemoryAction::Export(args) => export(store, args),
    }
}

fn search(store: &Store, args: SearchArgs) -> anyhow::Result<()> {
    let actor = Actor::from_as_persona(store, args.as_persona.as_deref())?;
    let query = SearchQuery {
        text: args.query,
        tags: args.tags,
        owner: args.owner.as_deref().map(OwnerFilter::named),
        limit: args.limit,
        include_related: args.related,
        ..SearchQuery::default()
    };
    let page = memory::search(store, &actor, &query)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&page)?);
    } else {
        print_page(&page);
    }
    Ok(())
}

fn print_page(page: &SearchPage) {
    if page.results.is_empty() {
        println!("No notes match.");
        return;
    }
    let mut out = std::io::stdout().lock();
    for hit in &page.results {
        // A closed pipe (`memory search x | head`) ends the output quietly.
        if writeln!(out, "{}", hit_lines(hit)).is_err() {
            return;
        }
    }
    let more = if page.next_offset.is_some() {
        " (more than shown: raise --limit, up to 50)"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{}{} direct hit(s){more}.",
        page.total,
        if page.total_capped { "+" } else { "" }
    );
}

/// One hit: `#id  title`, how a related note was reached, then its snippet on one line.
fn hit_lines(hit: &SearchHit) -> String {
    let mut head = format!("#{}  {}", hit.id, hit.title);
    if let Some(via) = &hit.related {
        let mut how = Vec::new();
        if let Some(link) = &via.link {
            how.push(format!("link \"{link}\""));
        }
        if !via.shared_tags.is_empty() {
            how.push(format!("tags {}", via.shared_tags.join(", ")));
        }
        head.push_str(&format!(
            "  [related to #{}{}{}]",
            via.from,
            if how.is_empty() { "" } else { " by " },
            how.join(" and ")
        ));
    }
    let snippet: String = hit.snippet.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{head}\n    {snippet}")
}

fn export(store: &Store, args: ExportArgs) -> anyhow::Result<()> {
    let actor = Actor::from_as_persona(store, args.as_persona.as_deref())?;
    let format = match args.format {
        Format::Json => ExportFormat::Json,
        Format::Markdown => ExportFormat::Markdown,
    };
    let text = memory::export(store, &actor, format)?;
    match &args.output {
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe ends the output quietly, as `head` expects.
            let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
        }
        Some(file) => {
            write_atomically(file, text.as_bytes())?;
            println!("Exported to {}.", file.display());
        }
    }
    Ok(())
}

/// Writes `bytes` to a new file beside `file`, then renames it over `file`: a reader sees the
/// old file or the new one, never part of one. The file is private (the notes may be).
fn write_atomically(file: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".memory-export.")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", file.display()))?;
    temp.persist(file)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", file.display()))?;
    Ok(())
}
