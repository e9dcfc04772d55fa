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
    // The app's start-at-login entry goes too (any path names it; it starts the app, not us).
    let exe = std::env::current_exe().unwrap_or_default();
    let login = llmgen_tray::login::LoginItem::for_app(&exe);
    if let Err(e) = &login {
        tracing::warn!("start at login not checked: {e}");
    }
    let login = login.ok();
    let report = run_uninstall(
        &clients,
        options,
        login
            .as_ref()
            .map(|l| l as &dyn llmgen_core::operations::uninstall::LoginEntry),
    );
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        let verb = if report.dry_run { "would remove" } else { "removed" };
        print_section(&format!("Client entries ({verb})"), &report.client_entries);
        print_section(&format!("Keychain items ({verb})"), &report.keychain_items);
        if !report.login_entry.is_empty() {
            print_section(&format!("Start at login ({verb})"), &report.login_entry);
        }
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
