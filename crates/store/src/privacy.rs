//! A member's data as one whole: each feature hands over what it holds per member (its
//! [`MemberData`]: the statements that purge or unlink it, its tables keyed by `user_id`, and
//! the columns its export leaves out, with why), and this module folds them into the erasure
//! of an account; the export is folded the same way from each feature's `export_member`.

use crate::{Db, StoreError};
use mutual_domain::{Timestamp, UserId};

/// What one feature holds about a member, as erasure and the export test need it.
#[derive(Debug)]
pub struct MemberData {
    /// Statements taking the member's id as `$1`, run before any table is emptied: they purge
    /// what the member wrote where others' data must keep its place, and unlink them.
    pub erase: &'static [&'static str],
    /// Tables whose rows with `user_id = $1` are the member's own, deleted at erasure.
    pub tables: &'static [&'static str],
    /// Columns of the feature's tables that the export leaves out: (table, column, why).
    pub not_exported: &'static [(&'static str, &'static str, &'static str)],
    /// The feature's tables that hold nothing about a member: (table, why).
    pub not_member_data: &'static [(&'static str, &'static str)],
}

/// The account itself: the row stays as a de-identified tombstone so that what must remain
/// for integrity (the audit log, used invites) still points at something.
const ACCOUNTS: MemberData = MemberData {
    erase: &[],
    tables: &["sessions", "recovery_codes", "password_resets"],
    not_exported: &[
        ("users", "password_hash", "a secret, even from its owner"),
        (
            "users",
            "username_lower",
            "the pseudonym again, lower-cased",
        ),
        (
            "sessions",
            "token_hash",
            "a secret: the hash of a sign-in token",
        ),
        (
            "recovery_codes",
            "code_hash",
            "a secret: the hash of a recovery code",
        ),
        (
            "password_resets",
            "token_hash",
            "a secret: the hash of a reset link",
        ),
        (
            "invites",
            "token_hash",
            "a secret: the hash of an invite link",
        ),
        (
            "retired_usernames",
            "name_hash",
            "no longer the member's: kept after erasure only",
        ),
        (
            "retired_usernames",
            "retired_until",
            "no longer the member's: kept after erasure only",
        ),
    ],
    not_member_data: &[
        ("settings", "the server's settings"),
        ("heartbeat", "the time of /readyz's last test write"),
        ("setup_tokens", "the one-time link for the first admin"),
        (
            "login_throttle",
            "sign-in counters keyed by a hash, never by member",
        ),
        (
            "retired_usernames",
            "hashes of erased pseudonyms, in no one's account",
        ),
    ],
};

/// Every feature's member data, in the order erasure runs it.
pub fn features() -> [&'static MemberData; 8] {
    [
        &ACCOUNTS,
        &crate::audit::MEMBER_DATA,
        &crate::community::MEMBER_DATA,
        &crate::standing::MEMBER_DATA,
        &crate::people::MEMBER_DATA,
        &crate::recovery::MEMBER_DATA,
        &crate::meetings::MEMBER_DATA,
        &crate::notifications::MEMBER_DATA,
    ]
}

/// Erases an account in one transaction: every personal field of the account is overwritten,
/// its sessions end, the search index forgets what it wrote, and each feature's statements and
/// tables run; then the SQLite search index is merged so the words leave its pages
/// ([`crate::dialect::search_purge`]). The pseudonym is retired until `retired_until`, kept only as `name_hash` (a
/// hash of its canonical spelling, so the list does not keep it readable). On SQLite the WAL is checkpointed and truncated afterwards so that it does not
/// hold the erased content either.
pub async fn erase_user(
    db: &Db,
    id: UserId,
    now: Timestamp,
    name_hash: &[u8],
    retired_until: Timestamp,
) -> Result<(), StoreError> {
    const RETIRE: &str = "INSERT INTO retired_usernames (name_hash, retired_until) \
         SELECT $1, $2 FROM users WHERE id = $3 AND status <> 'deleted' \
         ON CONFLICT (name_hash) DO UPDATE SET retired_until = excluded.retired_until";
    const ERASE: &str = "UPDATE users SET username = $1, username_lower = $1, password_hash = '', \
         email = NULL, role = 'member', status = 'deleted', status_reason = NULL, \
         time_zone = NULL, country = NULL, updated_at = $2 WHERE id = $3 AND status <> 'deleted'";
    let tombstone = format!("deleted-{}", id.0.simple());
    let unindex = crate::dialect::search_delete_by_author(db.backend());
    let features = features();
    write_tx!(db, tx => {
        sqlx::query(RETIRE)
            .bind(name_hash)
            .bind(retired_until.millis())
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query(ERASE)
            .bind(&tombstone)
            .bind(now.millis())
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        crate::accounts::expect_one(done.rows_affected())?;
        sqlx::query(unindex).bind(id.0).execute(&mut *tx).await?;
        for statement in features.iter().flat_map(|f| f.erase.iter()) {
            sqlx::query(statement).bind(id.0).execute(&mut *tx).await?;
        }
        for table in features.iter().flat_map(|f| f.tables.iter()) {
            sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
    });
    if let Some(purge) = crate::dialect::search_purge(db.backend()) {
        write_tx!(db, tx => {
            sqlx::query(purge).execute(&mut *tx).await?;
        });
    }
    if let Db::Sqlite(pool, writer) = db {
        let _turn = writer.turn.lock().await;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// Whether a pseudonym (by the hash [`erase_user`] was given) was retired by an erasure and is
/// still cooling off.
pub async fn is_retired(db: &Db, name_hash: &[u8], now: Timestamp) -> Result<bool, StoreError> {
    const SQL: &str =
        "SELECT COUNT(*) FROM retired_usernames WHERE name_hash = $1 AND retired_until > $2";
    let count: i64 = on_db!(db, pool => sqlx::query_scalar(SQL).bind(name_hash).bind(now.millis()).fetch_one(pool).await?);
    Ok(count > 0)
}

/// Forgets retired pseudonyms whose cooling-off period is over; returns how many.
pub async fn delete_expired_retired_names(db: &Db, now: Timestamp) -> Result<u64, StoreError> {
    const SQL: &str = "DELETE FROM retired_usernames WHERE retired_until <= $1";
    Ok(
        on_write!(db, pool => sqlx::query(SQL).bind(now.millis()).execute(pool).await?.rows_affected()),
    )
}
