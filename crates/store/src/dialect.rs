//! Where SQLite and PostgreSQL really differ, in one place: full-text search (an FTS5 table
//! keyed by the post's `num` as its rowid, or a tsvector table with a GIN index),
//! string aggregation, and row locks.

use crate::Backend;

/// Indexes a post: binds (`num`, title, body).
pub(crate) fn search_insert(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "INSERT INTO post_search (rowid, title, body) VALUES ($1, $2, $3)",
        Backend::Postgres => {
            "INSERT INTO post_search (num, document) VALUES ($1, \
             setweight(to_tsvector('simple', $2), 'A') || to_tsvector('simple', $3))"
        }
    }
}

/// Takes a post out of the index: binds (`num`).
pub(crate) fn search_delete(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "DELETE FROM post_search WHERE rowid = $1",
        Backend::Postgres => "DELETE FROM post_search WHERE num = $1",
    }
}

/// Takes every post of a member out of the index: binds (member id).
pub(crate) fn search_delete_by_author(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "DELETE FROM post_search WHERE rowid IN (SELECT num FROM posts WHERE author_id = $1)"
        }
        Backend::Postgres => {
            "DELETE FROM post_search WHERE num IN (SELECT num FROM posts WHERE author_id = $1)"
        }
    }
}

/// Rewrites the search index without what was deleted from it, if the backend needs that for
/// deleted words to leave it: SQLite's contentless FTS5 table only tombstones deleted rows (and
/// earlier versions of edited posts), keeping their words in its segments until a merge, so
/// after an erasure its segments are merged into one ('optimize'; 'rebuild' does not exist for
/// a contentless table, and 'delete' with the original values would miss the earlier versions,
/// which are gone). PostgreSQL deletes the rows; VACUUM reclaims their space.
pub(crate) fn search_purge(backend: Backend) -> Option<&'static str> {
    match backend {
        Backend::Sqlite => Some("INSERT INTO post_search (post_search) VALUES ('optimize')"),
        Backend::Postgres => None,
    }
}

/// The newest matches of a search (in [`search_insert`]'s index) that pass `filter`: SQLite
/// walks the FTS5 index backwards by rowid and stops at the page; PostgreSQL matches through
/// the GIN index and orders by `num`. Relevance is ranked above the store, over the newest
/// matches (`mutual_domain::community::search::rank`), the same way on both backends.
pub(crate) fn search_select(backend: Backend, filter: &str) -> String {
    let columns = concat!(
        "p.id AS post_id, p.thread_id, p.seq, t.title, t.space_id, p.body, p.content_warning, \
         p.anonymous, ",
        author_name_sql!("p.anonymous", "u"),
        " AS author_name, p.created_at"
    );
    let joins = "JOIN posts p ON p.num = c.num JOIN threads t ON t.id = p.thread_id \
         LEFT JOIN users u ON u.id = p.author_id";
    let matches = match backend {
        Backend::Sqlite => "SELECT rowid AS num FROM post_search WHERE post_search MATCH $1",
        Backend::Postgres => {
            "SELECT num FROM post_search WHERE document @@ to_tsquery('simple', $1)"
        }
    };
    format!(
        "SELECT {columns} FROM ({matches}) c {joins} WHERE {filter} \
         ORDER BY c.num DESC LIMIT $2 OFFSET $3"
    )
}

/// The distinct values of `column` in a group, comma-separated.
pub(crate) fn string_agg_distinct(backend: Backend, column: &str) -> String {
    match backend {
        // SQLite's DISTINCT aggregates take one argument; ',' is the default separator.
        Backend::Sqlite => format!("GROUP_CONCAT(DISTINCT {column})"),
        Backend::Postgres => format!("STRING_AGG(DISTINCT {column}, ',')"),
    }
}

/// What ends a `SELECT` that locks the rows it reads until the transaction ends: ` FOR UPDATE`
/// on PostgreSQL; nothing on SQLite, whose write transactions run one at a time.
pub(crate) fn for_update(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    }
}
