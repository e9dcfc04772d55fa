//! `uninstall`: the command-line face of core's "remove everything".
#![allow(clippy::print_stdout)] // this is the CLI's output; the serve path never prints

use std::process::ExitCode;

use llmgen_core::{
    clients::Clients,
    operations::uninstall::{Removal, UninstallOptions, uninstall as run_uninstall},
    paths::DataDir,
};

#[derive(clap::Args)]
pub struct UninstallArgs {
    /// Also delete the data folder: conversations, templates, personas, backups and logs.
    #[arg(long)]
    remove_data: bool,
    /// Do it. Without this, only show what would be removed.
    #[arg(long)]
    yes: bool,
    #[arg(long)]
    json: bool,
}

pub fn uninstall(data_dir: DataDir, args: &UninstallArgs) -> anyhow::Result<ExitCode> {
    let clients = Clients::from_env(data_dir);
    let options = UninstallOptions {
        remove_data: args.remove_data,
        dry_run: !args.yes,
    };
    let report = run_uninstall(&clients, options);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        let verb = if report.dry_run { "would remove" } else { "removed" };
        print_section(&format!("Client entries ({verb})"), &report.client_entries);
        print_section(&format!("Keychain items ({verb})"), &report.keychain_items);
        if args.remove_data {
            print_section(&format!("Data ({verb})"), &report.data);
            for path in &report.left_in_data_folder {
                println!("  kept (not ours): {}", path.display());
            }
        } else {
            println!(
                "Data folder: kept ({}). Add --remove-data to delete it too.",
                clients.data_dir().root().display()
            );
        }
        if report.dry_run {
            println!("Nothing was changed. Run again with --yes to remove the above.");
        } else if report.complete() {
            println!(
                "Done. Restart your AI clients so they stop starting the server; then remove the app package."
            );
        }
    }
    Ok(if report.complete() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_section(title: &str, items: &[Removal]) {
    println!("{title}:");
    if items.is_empty() {
        println!("  none");
    }
    for r in items {
        match &r.error {
            None => println!("  {}  ({})", r.what, r.place),
            Some(e) => println!("  FAILED {}  ({}): {e}", r.what, r.place),
        }
    }
}
