//! `uninstall` through the real binary, for the part every front end now shares: the desktop
//! app's start-at-login entry (the XDG autostart file the tray and the window's Settings write)
//! is reported by a dry run and removed by `--yes`. HOME is a temp folder; no keychain.
#![cfg(target_os = "linux")]

mod common;

use common::CliRun;

/// Proves: a dry run lists the login entry and keeps it; `uninstall --yes` removes it (the
/// command-line uninstall used to leave it, so the app kept starting with the session).
#[test]
fn uninstall_removes_the_start_at_login_entry() {
    let home = tempfile::tempdir().expect("temp home");
    let autostart = home.path().join(".config/autostart/MCP LLM Generator.desktop");
    std::fs::create_dir_all(autostart.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &autostart,
        "[Desktop Entry]\nType=Application\nName=MCP LLM Generator\nExec=/usr/bin/mcp-llm-generator-app --minimized\n",
    )
    .expect("write the login entry");
    let data = home.path().join("data");

    let dry = CliRun::new(home.path(), &data).run(&["uninstall"]);
    let text = String::from_utf8_lossy(&dry.stdout).to_string();
    assert!(text.contains("Start at login (would remove)"), "{text}");
    assert!(autostart.exists(), "a dry run removed the login entry");

    let done = CliRun::new(home.path(), &data).run(&["uninstall", "--yes"]);
    let text = String::from_utf8_lossy(&done.stdout).to_string();
    assert!(text.contains("Start at login (removed)"), "{text}");
    assert!(!autostart.exists(), "the login entry is still there");
}

/// Proves: `--remove-data` takes the memory with the database it lives in (notes, their search
/// index and feed are tables of llmgen.db), and an old server's shared memory that an earlier
/// version kept aside goes too; a dry run keeps both.
#[test]
fn remove_data_takes_the_memory_with_the_database() {
    use llmgen_core::{
        Store,
        memory::{self, Actor, NewMemory},
        paths::DataDir,
    };
    let home = tempfile::tempdir().expect("temp home");
    let data = home.path().join("data");
    let store = Store::open(&DataDir::at(&data)).expect("store");
    let note = NewMemory {
        title: "Kyoto tips".into(),
        content: "Buy a bus pass".into(),
        ..NewMemory::default()
    };
    memory::create(&store, &Actor::User, note).expect("create");
    drop(store);
    let kept_aside = data.join("imported/shared-memory.db");
    std::fs::create_dir_all(kept_aside.parent().expect("parent")).expect("mkdir");
    std::fs::write(&kept_aside, b"old notes").expect("kept aside");

    // Without a keychain here the runs end non-zero (its items cannot be reached); the data
    // folder is what this test looks at.
    CliRun::new(home.path(), &data).run(&["uninstall", "--remove-data"]);
    assert!(
        data.join("llmgen.db").exists() && kept_aside.exists(),
        "a dry run removed data"
    );

    let done = CliRun::new(home.path(), &data).run(&["uninstall", "--yes", "--remove-data"]);
    let text = String::from_utf8_lossy(&done.stdout).to_string();
    assert!(!data.exists(), "the data folder is still there: {text}");
}

/// Proves: `--remove-data` takes the team with the database: the personas' tree and the
/// delegated tasks (with their results) are tables of llmgen.db, and nothing of them is left.
#[test]
fn remove_data_takes_the_team_and_its_delegations() {
    use llmgen_core::{
        Store, catalog,
        catalog::personas::{NewPersona, Persona},
        paths::DataDir,
        team::{
            Actor, Target,
            delegation::{self, DelegationRequest},
        },
    };
    let home = tempfile::tempdir().expect("temp home");
    let data = home.path().join("data");
    let store = Store::open(&DataDir::at(&data)).expect("store");
    let helper = NewPersona {
        name: "helper".into(),
        system_prompt: "You help.".into(),
        parent: Some("rational-advisor".into()),
        restrictions: vec!["Never guess.".into()],
        ..NewPersona::default()
    };
    catalog::add::<Persona>(&store, helper).expect("persona");
    let request = DelegationRequest {
        task: "Summarise the plan.".into(),
        target: Target::Persona("helper".into()),
        priority: Default::default(),
    };
    delegation::start(&store, &Actor::User, &request).expect("delegate");
    drop(store);

    CliRun::new(home.path(), &data).run(&["uninstall", "--yes", "--remove-data"]);
    assert!(!data.exists(), "the data folder with the team is still there");
    let fresh = Store::open(&DataDir::at(&data)).expect("a new store");
    assert!(catalog::get::<Persona>(&fresh, "helper").is_err());
    assert_eq!(delegation::count_by_status(&fresh).expect("count"), vec![]);
}
