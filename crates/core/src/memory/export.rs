//! Exporting the notes an actor may read, with their tags and links: JSON (complete, for
//! programs and re-import) or Markdown (for reading and for other note apps).

use serde::{Deserialize, Serialize};

use super::{Actor, LinkDirection, Memory, search::get_in};
use crate::{Result, Store, timefmt};

/// The shape of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Json,
    Markdown,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonExport<'a> {
    exported_at: String,
    memories: &'a [Memory],
}

/// Every note `actor` may read, oldest first, in `format`.
pub fn export(store: &Store, actor: &Actor, format: ExportFormat) -> Result<String> {
    let memories = store.read(|conn| {
        // One snapshot: a note deleted by another process halfway through is either whole or absent.
        let snapshot = conn.unchecked_transaction()?;
        let ids: Vec<i64> = snapshot
            .prepare("SELECT id FROM memories ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut memories = Vec::with_capacity(ids.len());
        for id in ids {
            match get_in(&snapshot, actor, id) {
                Ok(memory) => memories.push(memory),
                // Not readable by this actor.
                Err(crate::CoreError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(memories)
    })?;
    match format {
        ExportFormat::Json => Ok(serde_json::to_string_pretty(&JsonExport {
            exported_at: timefmt::now_string(),
            memories: &memories,
        })?),
        ExportFormat::Markdown => Ok(markdown(&memories)),
    }
}

fn markdown(memories: &[Memory]) -> String {
    let mut out = format!(
        "# Memory\n\n{} note(s), exported {}.\n",
        memories.len(),
        timefmt::now_string()
    );
    for m in memories {
        out.push_str(&format!("\n## {} (#{})\n\n", m.title, m.id));
        let owner = m.owner.as_deref().unwrap_or("the user");
        out.push_str(&format!(
            "- Owner: {owner}, {}\n- Created {}, updated {}\n",
            m.permission.as_str(),
            m.created_at,
            m.updated_at
        ));
        if !m.tags.is_empty() {
            out.push_str(&format!("- Tags: {}\n", m.tags.join(", ")));
        }
        for link in m.links.iter().filter(|l| l.direction == LinkDirection::Out) {
            out.push_str(&format!("- {} → {} (#{})\n", link.relation, link.title, link.id));
        }
        out.push('\n');
        out.push_str(m.content.trim_end());
        out.push('\n');
    }
    out
}
