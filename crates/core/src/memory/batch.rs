//! Storing many new notes at once (a batch from a tool, a bulk load, the benchmark): every note is
//! checked as `create` checks it, then all are written in one transaction, so a batch is stored
//! whole or not at all, and a thousand notes cost one commit instead of a thousand.

use std::collections::HashMap;

use super::{
    Actor, NewMemory, Permission,
    write::{Row, check_texts, clean_tags, insert, owner_for},
};
use crate::{CoreError, Result, Store, timefmt};

/// Stores `notes` as `create` would, in one transaction; returns their ids in the same order.
/// When one note is refused (a limit, an unknown owner, a persona naming another as owner), the
/// error names it by position and nothing is stored.
pub fn create_many(store: &Store, actor: &Actor, notes: Vec<NewMemory>) -> Result<Vec<i64>> {
    // Owners are looked up once per name: a batch usually names a handful of personas.
    let mut owners: HashMap<Option<String>, Option<String>> = HashMap::new();
    let mut checked = Vec::with_capacity(notes.len());
    for (position, note) in notes.iter().enumerate() {
        let numbered = |e| numbered(e, position, notes.len());
        check_texts(&note.title, &note.content).map_err(numbered)?;
        let tags = clean_tags(&note.tags).map_err(numbered)?;
        let owner = match owners.get(&note.owner) {
            Some(owner) => owner.clone(),
            None => {
                let owner = owner_for(store, actor, note.owner.as_deref()).map_err(numbered)?;
                owners.insert(note.owner.clone(), owner.clone());
                owner
            }
        };
        checked.push((tags, owner, note.permission.unwrap_or(Permission::Shared)));
    }
    store.write(|tx| {
        let now = timefmt::now_string();
        notes
            .iter()
            .zip(&checked)
            .map(|(note, (tags, owner, permission))| {
                insert(
                    tx,
                    &Row {
                        title: note.title.trim(),
                        content: &note.content,
                        tags,
                        owner: owner.as_deref(),
                        permission: *permission,
                        created_at: &now,
                        updated_at: &now,
                    },
                    actor.persona(),
                )
            })
            .collect()
    })
}

/// `error` about one note of a batch, saying which (counted from 1, as people count).
fn numbered(error: CoreError, position: usize, of: usize) -> CoreError {
    let which = format!("Note {} of {of}: ", position + 1);
    match error {
        CoreError::Invalid(text) => CoreError::Invalid(which + &text),
        CoreError::NotAllowed(text) => CoreError::NotAllowed(which + &text),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::{SearchQuery, count, get, search};

    fn note(title: &str) -> NewMemory {
        NewMemory {
            title: title.to_string(),
            content: format!("{title} content"),
            tags: vec!["batch".into()],
            ..Default::default()
        }
    }

    /// A batch is stored in order, each note as `create` stores it (tags, default permission,
    /// searchable); a batch with one refused note stores nothing and names the note.
    #[test]
    fn a_batch_is_stored_whole_or_not_at_all() {
        let store = Store::open_in_memory().expect("store");
        let ids = create_many(&store, &Actor::User, vec![note("first"), note("second")]).expect("batch");
        assert_eq!(ids.len(), 2);
        let second = get(&store, &Actor::User, ids[1]).expect("get");
        assert_eq!(
            (second.title.as_str(), second.permission),
            ("second", Permission::Shared)
        );
        assert_eq!(second.tags, ["batch"]);
        let found = search(
            &store,
            &Actor::User,
            &SearchQuery {
                text: "first".into(),
                ..Default::default()
            },
        )
        .expect("search");
        assert_eq!(found.results.first().map(|h| h.id), Some(ids[0]));

        let error = create_many(&store, &Actor::User, vec![note("third"), note(" ")])
            .expect_err("an empty title is refused");
        assert!(
            matches!(&error, CoreError::Invalid(text) if text.starts_with("Note 2 of 2: ")),
            "{error}"
        );
        let stranger = NewMemory {
            owner: Some("nobody".into()),
            ..note("fourth")
        };
        assert!(create_many(&store, &Actor::User, vec![note("fifth"), stranger]).is_err());
        assert_eq!(
            count(&store).expect("count"),
            2,
            "nothing of a refused batch is stored"
        );
    }
}
