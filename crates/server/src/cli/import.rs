//! `import-upstream`: the command-line face of core's move-in from the TypeScript server.
#![allow(clippy::print_stdout)] // this is the CLI's output; the serve path never prints

use std::path::PathBuf;

use anyhow::Context;
use llmgen_core::{
    Store,
    import_upstream::{ImportOptions, ImportReport, ItemKind, Outcome, import_upstream as run_import},
    paths::DataDir,
};

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The folder the old server ran in (it holds templates/, context-memory.db, data/).
    /// Default: the current folder.
    #[arg(value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Show what would be imported and skipped, and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Also bring back contexts that had expired in the old server (with a fresh expiry).
    #[arg(long)]
    include_expired: bool,
    #[arg(long)]
    json: bool,
}

pub fn import_upstream(store: &Store, data_dir: &DataDir, args: ImportArgs) -> anyhow::Result<()> {
    let dir = match args.dir {
        Some(dir) => dir,
        None => std::env::current_dir().context("cannot tell the current folder; pass DIR")?,
    };
    let options = ImportOptions {
        dry_run: args.dry_run,
        include_expired: args.include_expired,
    };
    let report = run_import(store, data_dir, &dir, options)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    Ok(())
}

fn print_report(report: &ImportReport) {
    if report.dry_run {
        println!(
            "Dry run: nothing was written. An import from {} would do this:",
            report.source_dir.display()
        );
    } else {
        println!("Imported from {}:", report.source_dir.display());
    }
    for item in &report.items {
        let outcome = match item.outcome {
            Outcome::Imported => "imported",
            Outcome::Skipped => "skipped ",
        };
        let mut line = format!("  {outcome}  {:<13} {}", kind_label(item.kind), item.source);
        if let Some(name) = item.name.as_deref().filter(|n| *n != item.source) {
            line.push_str(&format!(" -> {name}"));
        }
        if let Some(n) = item.messages {
            line.push_str(&format!(" ({n} messages)"));
        }
        if let Some(note) = &item.note {
            line.push_str(&format!(": {note}"));
        }
        println!("{line}");
    }
    let count = |kind| report.count(kind, Outcome::Imported);
    let skipped: usize = report
        .items
        .iter()
        .filter(|i| i.outcome == Outcome::Skipped)
        .count();
    println!(
        "{} templates, {} personas, {} contexts ({} messages), {} shared notes, {} delegations imported; {skipped} skipped.",
        count(ItemKind::Template),
        count(ItemKind::Persona),
        count(ItemKind::Context),
        report.messages_imported(),
        count(ItemKind::SharedMemory),
        count(ItemKind::Delegation)
    );
}

fn kind_label(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Template => "template",
        ItemKind::Persona => "persona",
        ItemKind::Context => "context",
        ItemKind::SharedMemory => "shared note",
        ItemKind::Delegation => "delegation",
    }
}
