//! Related notes: from a search's hits, one or two steps along links (either direction) and
//! shared tags, ranked below the hits (links before tags, nearer before farther, more shared
//! tags first), only notes the actor may read.

use std::collections::{BTreeMap, HashSet};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{
    Actor,
    search::{HIT_COLUMNS, SearchHit, hit_from_row},
    snippet::Terms,
};
use crate::{Result, limits};

/// How a related note was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RelatedVia {
    /// The note it is related to (a hit, or for two steps a related note).
    pub from: i64,
    /// 1 or 2 steps from the hits.
    pub hops: u8,
    /// The link's relation, when reached by a link.
    pub link: Option<String>,
    /// The tags it shares with `from`, when reached by tags.
    pub shared_tags: Vec<String>,
}

/// Notes sharing one tag that are followed from one note: the newest few. A tag on half the
/// notes must not pull half the notes in.
const PER_TAG: u32 = 5;
/// Links followed from one note.
const PER_NOTE_LINKS: u32 = 20;

struct Candidate {
    via: RelatedVia,
}

impl Candidate {
    /// Sort key: nearer first, links before tags, more shared tags first.
    fn rank(&self) -> (u8, bool, std::cmp::Reverse<usize>) {
        (
            self.via.hops,
            self.via.link.is_none(),
            std::cmp::Reverse(self.via.shared_tags.len()),
        )
    }
}

/// The related notes of `hits`, at most [`limits::MEMORY_RELATED_MAX`], best first.
pub(crate) fn expand(
    conn: &Connection,
    actor: &Actor,
    hits: &[SearchHit],
    hops: u8,
) -> Result<Vec<SearchHit>> {
    let mut seen: HashSet<i64> = hits.iter().map(|h| h.id).collect();
    let mut frontier: Vec<(i64, Vec<String>)> = hits.iter().map(|h| (h.id, h.tags.clone())).collect();
    let mut related: Vec<SearchHit> = Vec::new();
    for hop in 1..=hops {
        // BTreeMap: the same candidates come out in the same order on every run.
        let mut candidates: BTreeMap<i64, Candidate> = BTreeMap::new();
        for (from, tags) in &frontier {
            for (id, relation) in linked(conn, *from)? {
                if seen.contains(&id) {
                    continue;
                }
                candidates.entry(id).or_insert_with(|| Candidate {
                    via: RelatedVia {
                        from: *from,
                        hops: hop,
                        link: Some(relation),
                        shared_tags: Vec::new(),
                    },
                });
            }
            for tag in tags {
                for id in tagged(conn, tag, *from)? {
                    if seen.contains(&id) {
                        continue;
                    }
                    let candidate = candidates.entry(id).or_insert_with(|| Candidate {
                        via: RelatedVia {
                            from: *from,
                            hops: hop,
                            link: None,
                            shared_tags: Vec::new(),
                        },
                    });
                    if candidate.via.from == *from && !candidate.via.shared_tags.contains(tag) {
                        candidate.via.shared_tags.push(tag.clone());
                    }
                }
            }
        }
        let mut ranked: Vec<(i64, Candidate)> = candidates.into_iter().collect();
        ranked.sort_by_key(|(id, c)| (c.rank(), std::cmp::Reverse(*id)));
        let mut next = Vec::new();
        for (id, candidate) in ranked {
            if related.len() >= limits::MEMORY_RELATED_MAX {
                break;
            }
            let Some(mut hit) = readable_hit(conn, actor, id)? else {
                continue;
            };
            seen.insert(id);
            next.push((id, hit.tags.clone()));
            hit.related = Some(candidate.via);
            related.push(hit);
        }
        frontier = next;
    }
    Ok(related)
}

/// The notes related to note `id` (as a search that found only it would add them), best first:
/// what a note's view shows beside it.
pub fn related(store: &crate::Store, actor: &Actor, id: i64, hops: u8) -> Result<Vec<SearchHit>> {
    if !(1..=2).contains(&hops) {
        return Err(crate::CoreError::invalid(format!(
            "Memory: hops {hops} is out of range; related notes are followed 1 or 2 steps."
        )));
    }
    store.read(|conn| {
        let snapshot = conn.unchecked_transaction()?;
        let Some(hit) = readable_hit(&snapshot, actor, id)? else {
            return Err(super::not_found(id));
        };
        expand(&snapshot, actor, &[hit], hops)
    })
}

/// The notes linked to or from `id`, with the relation.
fn linked(conn: &Connection, id: i64) -> Result<Vec<(i64, String)>> {
    let mut statement = conn.prepare_cached(
        "SELECT to_id, relation FROM memory_links WHERE from_id = ?1
         UNION ALL SELECT from_id, relation FROM memory_links WHERE to_id = ?1
         LIMIT ?2",
    )?;
    let rows = statement.query_map(rusqlite::params![id, PER_NOTE_LINKS], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The newest notes but `id` carrying `tag`.
fn tagged(conn: &Connection, tag: &str, id: i64) -> Result<Vec<i64>> {
    let mut statement = conn.prepare_cached(
        "SELECT memory_id FROM memory_tags WHERE tag = ?1 AND memory_id != ?2 ORDER BY memory_id DESC LIMIT ?3",
    )?;
    let rows = statement.query_map(rusqlite::params![tag, id, PER_TAG], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The note `id` as a hit, when `actor` may read it.
fn readable_hit(conn: &Connection, actor: &Actor, id: i64) -> Result<Option<SearchHit>> {
    let mut statement =
        conn.prepare_cached(&format!("SELECT {HIT_COLUMNS} FROM memories m WHERE m.id = ?1"))?;
    let mut rows = statement.query([id])?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let hit = hit_from_row(row, &Terms::default())?;
    Ok(actor
        .can_read(hit.owner.as_deref(), hit.permission)
        .then_some(hit))
}
