//! Finding notes: one note with its links (`get`), and full-text search ranked by bm25 with
//! filters, paging, snippets and, on request, related notes after the direct hits.

use rusqlite::{Connection, OptionalExtension, Row, params_from_iter, types::Value};
use serde::{Deserialize, Serialize};

use super::{
    Actor, LinkDirection, LinkView, Memory, Permission, cjk, not_found, rank,
    related::{self, RelatedVia},
    snippet::{self, Terms},
};
use crate::{CoreError, Result, Store, limits, timefmt};

/// Whose notes a search keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", tag = "kind", content = "name")]
pub enum OwnerFilter {
    /// Notes the user owns (no persona).
    User,
    Persona(String),
}

impl OwnerFilter {
    /// The word every front end takes for "the user's own notes" (no persona owns them).
    pub const USER_WORD: &str = crate::team::USER_WORD;

    /// An owner as people write it: [`Self::USER_WORD`] for the user, anything else a persona.
    pub fn named(name: &str) -> Self {
        if name == Self::USER_WORD {
            Self::User
        } else {
            Self::Persona(name.to_string())
        }
    }
}

/// A search. Empty `text` lists the newest notes that pass the filters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct SearchQuery {
    pub text: String,
    /// Notes carrying every one of these tags (case-insensitive).
    pub tags: Vec<String>,
    pub owner: Option<OwnerFilter>,
    /// Changed at or after this time (RFC 3339, or a date: 2026-12-01).
    pub updated_after: Option<String>,
    /// Changed before this time.
    pub updated_before: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
    /// Adds notes linked to the hits or sharing their tags, after the hits, marked related.
    pub include_related: bool,
    /// How far related notes are followed: 1 (default) or 2 steps.
    pub hops: Option<u8>,
}

/// A search's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SearchPage {
    /// The direct hits of this page, best first, then related notes (marked `related`).
    pub results: Vec<SearchHit>,
    /// Direct hits in all pages, counted up to [`TOTAL_CAP`].
    pub total: u32,
    /// True when there are more than [`TOTAL_CAP`] hits (then `total` is the cap).
    pub total_capped: bool,
    /// The offset of the next page, when there is one.
    pub next_offset: Option<u32>,
}

/// Hits are counted up to this many: an exact count of a common word over a million notes costs
/// more than the search itself, and nobody pages that far.
pub const TOTAL_CAP: u32 = 1_000;

/// A search with more hits than FTS5 ranks in time ranks this many of the newest in Rust
/// (rank.rs): each costs a read of the note and a pass over its text, about 5 to 10 µs (a
/// thousand took 5 to 10 ms over a million notes; BENCHMARKS.md, "Memory").
const RANKED: usize = 500;

/// One note in a search's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub id: i64,
    pub title: String,
    pub tags: Vec<String>,
    pub owner: Option<String>,
    pub permission: Permission,
    pub updated_at: String,
    /// Text around the first match, matches between `**` (the start of the note for a related
    /// note or a search without text).
    pub snippet: String,
    /// bm25 relevance (higher is better); `None` without search text and for related notes.
    pub score: Option<f64>,
    /// How a related note was reached; `None` for a direct hit.
    pub related: Option<RelatedVia>,
}

/// The columns [`hit_from_row`] reads, from `memories` aliased `m`.
pub(crate) const HIT_COLUMNS: &str = "m.id, m.title, m.content, m.tags, m.owner, m.permission, m.updated_at";

/// A note as read with [`HIT_COLUMNS`], before it becomes a hit (a search may read many
/// candidates and show a page of them).
pub(crate) struct Stored {
    id: i64,
    title: String,
    content: String,
    tags: Vec<String>,
    owner: Option<String>,
    permission: Permission,
    updated_at: String,
}

impl Stored {
    pub(crate) fn from_row(row: &Row<'_>) -> Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            title: row.get(1)?,
            content: row.get(2)?,
            tags: serde_json::from_str(&row.get::<_, String>(3)?)?,
            owner: row.get(4)?,
            permission: Permission::parse(&row.get::<_, String>(5)?).unwrap_or(Permission::Private),
            updated_at: row.get(6)?,
        })
    }

    /// The note `id` (a search's candidate: it exists, in the search's snapshot).
    fn load(conn: &Connection, id: i64) -> Result<Self> {
        let mut statement =
            conn.prepare_cached(&format!("SELECT {HIT_COLUMNS} FROM memories m WHERE m.id = ?1"))?;
        let mut rows = statement.query([id])?;
        match rows.next()? {
            Some(row) => Self::from_row(row),
            None => Err(not_found(id)),
        }
    }

    /// The hit, its snippet cut for `terms`.
    pub(crate) fn into_hit(self, terms: &Terms) -> SearchHit {
        let mut snippet = snippet::cut(&self.content, terms);
        if snippet.is_empty() {
            snippet = snippet::cut(&self.title, terms);
        }
        SearchHit {
            id: self.id,
            title: self.title,
            tags: self.tags,
            owner: self.owner,
            permission: self.permission,
            updated_at: self.updated_at,
            snippet,
            score: None,
            related: None,
        }
    }
}

/// A hit from a row of [`HIT_COLUMNS`], its snippet cut for `terms`.
pub(crate) fn hit_from_row(row: &Row<'_>, terms: &Terms) -> Result<SearchHit> {
    Ok(Stored::from_row(row)?.into_hit(terms))
}

/// The FTS5 query for a search text, its terms (each with its own FTS5 query), and the terms its
/// snippets mark. Every word must occur (in the title, content or tags); a CJK run must occur as
/// written. Each word is quoted, so FTS5 syntax in the text is searched for, not obeyed. `None`
/// when the text has no word.
fn fts_query(text: &str) -> Result<(Option<String>, Vec<rank::Term>, Terms)> {
    let mut parts: Vec<rank::Term> = Vec::new();
    let mut terms = Terms::default();
    // A word given twice is looked for once ("budget Budget"): each term costs a count and a
    // pass over the ranked notes.
    let mut seen = std::collections::HashSet::new();
    for word in text.split_whitespace() {
        let prefix = word.ends_with('*');
        for run in cjk::runs(word) {
            let fts = cjk::query_phrase(&run);
            if seen.insert(fts.clone()) {
                parts.push(rank::Term::run(fts, &run));
                terms.add_run(run);
            }
        }
        let latin = cjk::without_cjk(word);
        let tokens: Vec<&str> = latin
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .collect();
        for (i, token) in tokens.iter().enumerate() {
            // Only the word's last token keeps the `*` the user wrote after it.
            let is_prefix = prefix && i + 1 == tokens.len();
            let star = if is_prefix { "*" } else { "" };
            let fts = format!("{{title content tags}} : \"{token}\"{star}");
            if seen.insert(fts.to_lowercase()) {
                parts.push(rank::Term::word(fts, token, is_prefix));
                terms.add_word(token, is_prefix);
            }
        }
    }
    if parts.len() > QUERY_TERMS_MAX {
        return Err(CoreError::invalid(format!(
            "Memory search: the text has {} different words; the limit is {QUERY_TERMS_MAX}. Search with the few words that matter most.",
            parts.len()
        )));
    }
    let query = (!parts.is_empty()).then(|| {
        parts
            .iter()
            .map(|p| p.fts.as_str())
            .collect::<Vec<_>>()
            .join(" AND ")
    });
    Ok((query, parts, terms))
}

/// Different words in one search (each must occur in a hit, so more than a few find nothing).
const QUERY_TERMS_MAX: usize = 32;

/// A time given by a user, as stored (RFC 3339 with microseconds, UTC), for comparisons.
fn stored_time(field: &str, text: &str) -> Result<String> {
    use time::{OffsetDateTime, format_description::well_known::Rfc3339, macros::format_description};
    let text = text.trim();
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339)
        && timefmt::in_range(t)
    {
        return Ok(timefmt::format(t));
    }
    if let Ok(date) = time::Date::parse(text, format_description!("[year]-[month]-[day]")) {
        return Ok(timefmt::format(date.midnight().assume_utc()));
    }
    Err(CoreError::invalid(format!(
        "Memory search: {field} '{text}' is not a time. Use a date (2026-12-01) or an RFC 3339 time (2026-12-01T09:00:00Z)."
    )))
}

/// The WHERE conditions (over `memories m`) shared by search with and without text.
struct Filters {
    conditions: Vec<String>,
    values: Vec<Value>,
}

impl Filters {
    fn push(&mut self, condition: impl Into<String>, value: Option<Value>) {
        match value {
            Some(value) => {
                self.values.push(value);
                self.conditions
                    .push(condition.into().replace('?', &format!("?{}", self.values.len())));
            }
            None => self.conditions.push(condition.into()),
        }
    }

    fn new(actor: &Actor, query: &SearchQuery) -> Result<Self> {
        let mut filters = Self {
            conditions: Vec::new(),
            values: Vec::new(),
        };
        if let Some(name) = actor.persona() {
            filters.push(
                "(m.owner = ? OR m.permission != 'private')",
                Some(Value::Text(name.to_string())),
            );
        }
        if query.tags.len() > limits::MEMORY_TAGS {
            return Err(CoreError::invalid(format!(
                "Memory search: {} tags given; a note has at most {}.",
                query.tags.len(),
                limits::MEMORY_TAGS
            )));
        }
        for tag in query.tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            limits::check("Memory search", "a tag", tag, limits::MEMORY_TAG_CHARS)?;
            filters.push(
                "m.id IN (SELECT memory_id FROM memory_tags WHERE tag = ?)",
                Some(Value::Text(tag.to_string())),
            );
        }
        match &query.owner {
            None => {}
            Some(OwnerFilter::User) => filters.push("m.owner IS NULL", None),
            Some(OwnerFilter::Persona(name)) => filters.push("m.owner = ?", Some(Value::Text(name.clone()))),
        }
        if let Some(after) = &query.updated_after {
            let after = stored_time("updatedAfter", after)?;
            filters.push("m.updated_at >= ?", Some(Value::Text(after)));
        }
        if let Some(before) = &query.updated_before {
            let before = stored_time("updatedBefore", before)?;
            filters.push("m.updated_at < ?", Some(Value::Text(before)));
        }
        Ok(filters)
    }

    fn sql(&self) -> String {
        if self.conditions.is_empty() {
            "1".to_string()
        } else {
            self.conditions.join(" AND ")
        }
    }
}

fn page_bounds(query: &SearchQuery) -> Result<(u32, u32)> {
    let limit = query.limit.unwrap_or(limits::MEMORY_PAGE_DEFAULT);
    if limit == 0 || limit > limits::MEMORY_PAGE_MAX {
        return Err(CoreError::invalid(format!(
            "Memory search: limit {limit} is out of range; use 1 to {}.",
            limits::MEMORY_PAGE_MAX
        )));
    }
    let offset = query.offset.unwrap_or(0);
    if offset >= TOTAL_CAP {
        return Err(CoreError::invalid(format!(
            "Memory search: offset {offset} is too far; results are paged up to {TOTAL_CAP}. Narrow the search with more words, tags or a time range."
        )));
    }
    Ok((limit, offset))
}

/// Searches the notes `actor` may read. See [`SearchQuery`].
pub fn search(store: &Store, actor: &Actor, query: &SearchQuery) -> Result<SearchPage> {
    limits::check("Memory search", "query", &query.text, limits::MEMORY_QUERY_CHARS)?;
    let (limit, offset) = page_bounds(query)?;
    let hops = query.hops.unwrap_or(1);
    if !(1..=2).contains(&hops) {
        return Err(CoreError::invalid(format!(
            "Memory search: hops {hops} is out of range; related notes are followed 1 or 2 steps."
        )));
    }
    let mut filters = Filters::new(actor, query)?;
    let (fts, rank_terms, terms) = fts_query(&query.text)?;
    if fts.is_none() && !query.text.trim().is_empty() {
        return Err(CoreError::invalid(format!(
            "Memory search: '{}' has no letters or digits to look for. Search with words from the note, or leave the text empty to list the newest notes.",
            query.text.trim()
        )));
    }
    store.read(|conn| {
        let snapshot = conn.unchecked_transaction()?;
        let (mut results, found, pages_end) = match &fts {
            Some(fts) => {
                filters.push("memory_fts MATCH ?", Some(Value::Text(fts.clone())));
                matching(&snapshot, &filters, &rank_terms, &terms, limit, offset)?
            }
            None => newest(&snapshot, &filters, &terms, limit, offset)?,
        };
        if query.include_related && !results.is_empty() {
            let related = related::expand(&snapshot, actor, &results, hops)?;
            results.extend(related);
        }
        let total = found.min(TOTAL_CAP);
        let direct = results.iter().filter(|h| h.related.is_none()).count() as u32;
        let next = offset + direct;
        Ok(SearchPage {
            results,
            total,
            total_capped: found > TOTAL_CAP,
            next_offset: (direct == limit && next < pages_end).then_some(next),
        })
    })
}

/// The notes that pass `filters` (whose last condition is the FTS5 match), best first: the page
/// at `offset`, and how many there are (counted up to one past [`TOTAL_CAP`]).
///
/// FTS5's bm25 ranks when every term is in at most [`rank::DF_CAP`] notes and the search has at
/// most [`TOTAL_CAP`] hits. Otherwise (a common word over many notes, where FTS5's ranking costs
/// tens to hundreds of milliseconds) the newest [`RANKED`] hits are ranked by the same bm25 in
/// Rust (rank.rs), and paging goes through those. Also returns where paging ends.
fn matching(
    conn: &Connection,
    filters: &Filters,
    rank_terms: &[rank::Term],
    terms: &Terms,
    limit: u32,
    offset: u32,
) -> Result<(Vec<SearchHit>, u32, u32)> {
    // The index alone when nothing but the text filters (its rows are the notes' ids, kept in the
    // same transactions); joined with the notes for the other filters.
    let from = if filters.conditions.len() == 1 {
        "memory_fts"
    } else {
        "memory_fts JOIN memories m ON m.id = memory_fts.rowid"
    };
    let conditions = filters.sql();
    let values = || params_from_iter(filters.values.iter());
    // Newest first is FTS5's own order (no sort), so this stops after TOTAL_CAP + 1 hits; ids
    // only: the notes' text is read for the page, or for the candidates that are ranked here.
    let mut statement = conn.prepare(&format!(
        "SELECT memory_fts.rowid FROM {from} WHERE {conditions} ORDER BY memory_fts.rowid DESC LIMIT {TOTAL_CAP} + 1"
    ))?;
    let mut candidates: Vec<i64> = statement
        .query_map(values(), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let found = candidates.len() as u32;
    let mut counts = Vec::with_capacity(rank_terms.len());
    if found > TOTAL_CAP && rank_terms.len() == 1 {
        // Ranked here whatever the count, and one term's idf does not change the order.
        counts.push(rank::DF_CAP + 1);
    }
    for term in rank_terms.iter().skip(counts.len()) {
        let count: u32 = conn
            .prepare_cached(&format!(
                "SELECT count(*) FROM (SELECT 1 FROM memory_fts WHERE memory_fts MATCH ?1 LIMIT {} + 1)",
                rank::DF_CAP
            ))?
            .query_row([&term.fts], |r| r.get(0))?;
        counts.push(count);
    }
    if found <= TOTAL_CAP && counts.iter().all(|&c| c <= rank::DF_CAP) {
        // FTS5's rank: bm25 with the column weights set by the migration (title words weigh
        // most, then tags), lower for better hits.
        let mut statement = conn.prepare(&format!(
            "SELECT memory_fts.rowid, memory_fts.rank FROM {from} WHERE {conditions} ORDER BY memory_fts.rank LIMIT {limit} OFFSET {offset}"
        ))?;
        let page: Vec<(i64, f64)> = statement
            .query_map(values(), |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut hits = Vec::with_capacity(page.len());
        for (id, rank) in page {
            let mut hit = Stored::load(conn, id)?.into_hit(terms);
            hit.score = Some(-rank);
            hits.push(hit);
        }
        return Ok((hits, found, found.min(TOTAL_CAP)));
    }
    candidates.truncate(RANKED);
    let candidates_len = candidates.len() as u32;
    let candidates: Vec<Stored> = candidates
        .into_iter()
        .map(|id| Stored::load(conn, id))
        .collect::<Result<_>>()?;
    let notes: u64 = conn.query_row("SELECT coalesce(max(id), 0) FROM memories", [], |r| r.get(0))?;
    let idfs: Vec<f64> = counts.iter().map(|&c| rank::idf(c, notes)).collect();
    let texts: Vec<rank::Text<'_>> = candidates
        .iter()
        .map(|c| rank::Text {
            title: &c.title,
            content: &c.content,
            tags: &c.tags,
        })
        .collect();
    let scores = rank::scores(rank_terms, &idfs, &texts);
    drop(texts);
    let mut order: Vec<(f64, Stored)> = scores.into_iter().zip(candidates).collect();
    // Best first; among equals, the newer note (candidates are newest first, and the sort is stable).
    order.sort_by(|a, b| b.0.total_cmp(&a.0));
    let hits = order
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|(score, stored)| {
            let mut hit = stored.into_hit(terms);
            hit.score = Some(score);
            hit
        })
        .collect();
    let pages_end = candidates_len;
    Ok((hits, found, pages_end))
}

/// A search without text: the newest notes that pass `filters`, and how many there are (counted
/// up to one past [`TOTAL_CAP`]), and where paging ends.
fn newest(
    conn: &Connection,
    filters: &Filters,
    terms: &Terms,
    limit: u32,
    offset: u32,
) -> Result<(Vec<SearchHit>, u32, u32)> {
    let conditions = filters.sql();
    let values = || params_from_iter(filters.values.iter());
    let found: u32 = conn.query_row(
        &format!("SELECT count(*) FROM (SELECT 1 FROM memories m WHERE {conditions} LIMIT {TOTAL_CAP} + 1)"),
        values(),
        |r| r.get(0),
    )?;
    let mut statement = conn.prepare(&format!(
        "SELECT {HIT_COLUMNS} FROM memories m WHERE {conditions} ORDER BY m.updated_at DESC, m.id DESC LIMIT {limit} OFFSET {offset}"
    ))?;
    let mut rows = statement.query(values())?;
    let mut hits = Vec::new();
    while let Some(row) = rows.next()? {
        hits.push(hit_from_row(row, terms)?);
    }
    Ok((hits, found, found.min(TOTAL_CAP)))
}

/// The note `id` with its tags and its links to notes `actor` may read.
pub fn get(store: &Store, actor: &Actor, id: i64) -> Result<Memory> {
    store.read(|conn| get_in(conn, actor, id))
}

pub(crate) fn get_in(conn: &Connection, actor: &Actor, id: i64) -> Result<Memory> {
    let row = conn
        .query_row(
            "SELECT id, title, content, tags, owner, permission, created_at, updated_at FROM memories WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                ))
            },
        )
        .optional()?;
    let Some((id, title, content, tags, owner, permission, created_at, updated_at)) = row else {
        return Err(not_found(id));
    };
    let permission = Permission::parse(&permission).unwrap_or(Permission::Private);
    if !actor.can_read(owner.as_deref(), permission) {
        return Err(not_found(id));
    }
    let (links, links_left_out) = links_of(conn, actor, id)?;
    Ok(Memory {
        id,
        title,
        content,
        tags: serde_json::from_str(&tags)?,
        owner,
        permission,
        created_at,
        updated_at,
        links,
        links_left_out,
    })
}

/// The links of note `id` that `actor` may see: every outgoing one (at most
/// [`limits::MEMORY_LINKS`] exist), and the first [`limits::MEMORY_LINKS`] incoming ones with the
/// number of those left out (a note many others cite must not make one answer huge).
fn links_of(conn: &Connection, actor: &Actor, id: i64) -> Result<(Vec<LinkView>, u32)> {
    let mut statement = conn.prepare_cached(
        "SELECT l.to_id, m.title, l.relation, 'out', m.owner, m.permission FROM memory_links l JOIN memories m ON m.id = l.to_id WHERE l.from_id = ?1
         UNION ALL
         SELECT l.from_id, m.title, l.relation, 'in', m.owner, m.permission FROM memory_links l JOIN memories m ON m.id = l.from_id WHERE l.to_id = ?1
         ORDER BY 4 DESC, 1",
    )?;
    let rows = statement.query_map([id], |r| {
        Ok((
            LinkView {
                id: r.get(0)?,
                title: r.get(1)?,
                relation: r.get(2)?,
                direction: if r.get::<_, String>(3)? == "out" {
                    LinkDirection::Out
                } else {
                    LinkDirection::In
                },
            },
            r.get::<_, Option<String>>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    let mut links = Vec::new();
    let (mut incoming, mut left_out) = (0, 0);
    for row in rows {
        let (link, owner, permission) = row?;
        let permission = Permission::parse(&permission).unwrap_or(Permission::Private);
        if !actor.can_read(owner.as_deref(), permission) {
            continue;
        }
        if link.direction == LinkDirection::In {
            if incoming == limits::MEMORY_LINKS {
                left_out += 1;
                continue;
            }
            incoming += 1;
        }
        links.push(link);
    }
    Ok((links, left_out))
}

/// How many notes are stored (every owner's).
pub fn count(store: &Store) -> Result<u64> {
    store.read(|conn| Ok(conn.query_row("SELECT count(*) FROM memories", [], |r| r.get(0))?))
}
