//! Store tests: the migrations in lockstep, the same schema on both backends, and the queries'
//! rules, each test on SQLite and on PostgreSQL.

use mutual_domain::accounts::{AccountStatus, Username};
use mutual_domain::permissions::Role;
use mutual_domain::{InviteId, SessionId, Timestamp, UserId};
use mutual_store::accounts::{self, InviteRecord, NewUser};
use mutual_store::sessions::{self, SessionRecord};
use mutual_store::{Db, StoreError, audit, throttle};
use mutual_testkit::{TestBackend, TestDatabase, both_backends};
use std::collections::BTreeSet;
use std::path::Path;

const NOW: Timestamp = Timestamp(1_790_000_000_000);

fn migration_names(folder: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(folder);
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn both_migration_folders_hold_the_same_versions() {
    let sqlite = migration_names("sqlite");
    let postgres = migration_names("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
    for name in &sqlite {
        let version = name.split('_').next().unwrap();
        assert!(
            version.len() == 4 && version.chars().all(|c| c.is_ascii_digit()),
            "{name}: NNNN_name.sql"
        );
    }
}

#[tokio::test]
async fn both_backends_end_up_with_the_same_tables_and_columns() {
    let sqlite = TestDatabase::create(TestBackend::Sqlite).await.unwrap();
    let Some(postgres) = TestDatabase::create(TestBackend::Postgres).await else {
        return;
    };
    let sqlite_schema = sqlite.db.schema_columns().await.unwrap();
    let postgres_schema = postgres.db.schema_columns().await.unwrap();
    assert!(sqlite_schema.contains_key("users"));
    assert_eq!(sqlite_schema, postgres_schema);
    assert_eq!(
        sqlite.db.columns_referencing_users().await.unwrap(),
        postgres.db.columns_referencing_users().await.unwrap()
    );
}

#[tokio::test]
async fn unknown_database_schemes_are_refused_with_a_clear_message() {
    let error = Db::connect(&mutual_store::DbConfig::new("mysql://localhost/x"))
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("use sqlite://PATH or postgres://"),
        "{error}"
    );
}

async fn user(db: &Db, name: &str) -> UserId {
    let username = Username::parse(name).unwrap();
    let id = UserId::new();
    let new = NewUser {
        id,
        username: &username,
        password_hash: "$argon2id$stub",
        email: None,
        role: Role::Member,
        status: AccountStatus::Active,
        now: NOW,
    };
    accounts::insert_user(db, &new).await.unwrap();
    id
}

fn session_for(user: UserId) -> SessionRecord {
    SessionRecord {
        id: SessionId::new(),
        user_id: user,
        kind: "browser".into(),
        device: "Firefox on Linux".into(),
        created_at: NOW,
        last_seen_at: NOW,
        idle_timeout_ms: 60_000,
        expires_at: Timestamp(NOW.0 + 3_600_000),
    }
}

both_backends! {
    async fn pseudonyms_conflict_without_regard_to_case(database) {
        let db = &database.db;
        user(db, "QuietRiver").await;
        let username = Username::parse("quietriver").unwrap();
        let clash = NewUser { id: UserId::new(), username: &username, password_hash: "x", email: None, role: Role::Member, status: AccountStatus::Active, now: NOW };
        assert!(matches!(accounts::insert_user(db, &clash).await, Err(StoreError::Conflict)));
        let found = accounts::find_user_by_username(db, "quietriver").await.unwrap().unwrap();
        assert_eq!(found.username.as_str(), "QuietRiver");
    }
}

both_backends! {
    async fn a_session_is_found_by_its_token_hash_with_its_own_account(database) {
        let db = &database.db;
        let owner = user(db, "session_owner").await;
        user(db, "someone_else").await;
        let session = session_for(owner);
        sessions::insert_session(db, &session, b"hash-of-token").await.unwrap();
        let (found, account) = sessions::find_session_by_token_hash(db, b"hash-of-token").await.unwrap().unwrap();
        assert_eq!(found.id, session.id);
        assert_eq!(found.user_id, owner);
        assert_eq!(account.id, owner);
        assert_eq!(account.created_at, NOW);
        assert!(sessions::find_session_by_token_hash(db, b"other").await.unwrap().is_none());
        assert!(!found.is_expired(Timestamp(NOW.0 + 59_999)));
        assert!(found.is_expired(Timestamp(NOW.0 + 60_000)), "idle limit");
        assert_eq!(sessions::delete_expired_sessions(db, Timestamp(NOW.0 + 60_000)).await.unwrap(), 1);
    }
}

both_backends! {
    async fn a_member_can_only_end_their_own_sessions(database) {
        let db = &database.db;
        let owner = user(db, "owner_one").await;
        let stranger = user(db, "stranger_one").await;
        let session = session_for(owner);
        sessions::insert_session(db, &session, b"t1").await.unwrap();
        assert!(matches!(sessions::delete_session(db, stranger, session.id).await, Err(StoreError::NotFound)));
        let keep = session_for(owner);
        sessions::insert_session(db, &keep, b"t2").await.unwrap();
        assert_eq!(sessions::delete_sessions_by_user(db, owner, Some(keep.id)).await.unwrap(), 1);
        let left = sessions::list_sessions_by_user(db, owner).await.unwrap();
        assert_eq!(left.iter().map(|s| s.id).collect::<Vec<_>>(), vec![keep.id]);
    }
}

both_backends! {
    async fn erasing_a_user_leaves_a_de_identified_tombstone(database) {
        let db = &database.db;
        let id = user(db, "erase_me").await;
        sessions::insert_session(db, &session_for(id), b"t").await.unwrap();
        mutual_store::privacy::erase_user(db, id, NOW, b"h", NOW).await.unwrap();
        let tombstone = accounts::find_user_by_id(db, id).await.unwrap().unwrap();
        assert_eq!(tombstone.status, AccountStatus::Deleted);
        assert!(tombstone.username.as_str().starts_with("deleted-"));
        assert!(tombstone.password_hash.is_empty());
        assert!(sessions::list_sessions_by_user(db, id).await.unwrap().is_empty());
        assert!(matches!(mutual_store::privacy::erase_user(db, id, NOW, b"h", NOW).await, Err(StoreError::NotFound)));
    }
}

both_backends! {
    async fn the_audit_log_refuses_updates_and_deletes(database) {
        let db = &database.db;
        let id = user(db, "audited").await;
        let event = audit::AuditEvent { id: uuid::Uuid::now_v7(), at: NOW, actor_id: Some(id), subject_id: Some(id), action: "logged_in".into(), detail: String::new() };
        audit::insert_audit_event(db, &event).await.unwrap();
        let (update, delete) = match db {
            Db::Sqlite(pool, _) => (
                sqlx::query("UPDATE audit_log SET action = 'x'").execute(pool).await.is_err(),
                sqlx::query("DELETE FROM audit_log").execute(pool).await.is_err(),
            ),
            Db::Postgres(pool) => (
                sqlx::query("UPDATE audit_log SET action = 'x'").execute(pool).await.is_err(),
                sqlx::query("DELETE FROM audit_log").execute(pool).await.is_err(),
            ),
        };
        assert!(update && delete);
        assert_eq!(audit::list_audit_events_by_user(db, id).await.unwrap().len(), 1);
    }
}

both_backends! {
    async fn throttle_counts_attempts_before_they_are_made_and_forgets_old_ones(database) {
        let db = &database.db;
        let rule = |now: Timestamp| throttle::Limit {
            window_start: Timestamp(now.0 - 900_000),
            limit: 3,
            lock_until: Timestamp(now.0 + 300_000),
        };
        for n in 1..=3 {
            assert_eq!(throttle::take_attempt(db, "k", Timestamp(NOW.0 + n), rule(NOW)).await.unwrap(), None);
        }
        let lock = rule(NOW).lock_until;
        assert_eq!(throttle::take_attempt(db, "k", Timestamp(NOW.0 + 4), rule(NOW)).await.unwrap(), Some(lock), "the attempt past the limit is refused");
        assert_eq!(throttle::take_attempt(db, "k", Timestamp(NOW.0 + 5), rule(NOW)).await.unwrap(), Some(lock), "and the key stays locked");
        assert_eq!(throttle::take_attempt(db, "k", lock, rule(lock)).await.unwrap(), None, "the lock ends");

        throttle::take_attempt(db, "refunded", NOW, rule(NOW)).await.unwrap();
        for _ in 0..5 {
            throttle::refund_attempt(db, "refunded").await.unwrap();
        }
        for _ in 0..3 {
            assert_eq!(throttle::take_attempt(db, "refunded", NOW, rule(NOW)).await.unwrap(), None, "a refund gives one attempt back, never more");
        }
        assert!(throttle::take_attempt(db, "refunded", NOW, rule(NOW)).await.unwrap().is_some());

        let later = Timestamp(NOW.0 + 10_000_000);
        for _ in 0..3 {
            throttle::take_attempt(db, "old", NOW, rule(NOW)).await.unwrap();
        }
        assert_eq!(throttle::take_attempt(db, "old", later, rule(later)).await.unwrap(), None, "attempts outside the window are forgotten");
    }
}

both_backends! {
    async fn concurrent_attempts_cannot_pass_the_limit(database) {
        let db = database.db.clone();
        let rule = throttle::Limit { window_start: Timestamp(NOW.0 - 900_000), limit: 5, lock_until: Timestamp(NOW.0 + 300_000) };
        let attempts = (0..100).map(|_| {
            let db = db.clone();
            tokio::spawn(async move { throttle::take_attempt(&db, "flood", NOW, rule).await.unwrap() })
        });
        let mut allowed = 0;
        for attempt in attempts.collect::<Vec<_>>() {
            if attempt.await.unwrap().is_none() {
                allowed += 1;
            }
        }
        assert_eq!(allowed, 5);
    }
}

both_backends! {
    async fn an_invite_and_a_setup_token_work_once(database) {
        let db = &database.db;
        let admin = user(db, "inviter").await;
        let invite = InviteRecord { id: InviteId::new(), note: String::new(), created_by: admin, created_at: NOW, expires_at: Timestamp(NOW.0 + 1000), used_by: None, used_at: None };
        accounts::insert_invite(db, &invite, b"invite").await.unwrap();
        let first = Username::parse("invited_a").unwrap();
        let second = Username::parse("invited_b").unwrap();
        let new = |username| NewUser { id: UserId::new(), username, password_hash: "x", email: None, role: Role::Member, status: AccountStatus::Active, now: NOW };
        accounts::insert_user_with_invite(db, &new(&first), b"invite").await.unwrap();
        assert!(matches!(accounts::insert_user_with_invite(db, &new(&second), b"invite").await, Err(StoreError::NotFound)));
        assert!(accounts::find_user_by_username(db, "invited_b").await.unwrap().is_none(), "the failed registration rolled back");

        accounts::replace_setup_token(db, b"setup", NOW).await.unwrap();
        assert!(accounts::setup_token_is_unused(db, b"setup").await.unwrap());
        accounts::insert_user_with_setup_token(db, &new(&second), b"setup").await.unwrap();
        assert!(!accounts::setup_token_is_unused(db, b"setup").await.unwrap());
        let third = Username::parse("invited_c").unwrap();
        assert!(matches!(accounts::insert_user_with_setup_token(db, &new(&third), b"setup").await, Err(StoreError::NotFound)));
    }
}

fn checkin_row(user: uuid::Uuid, day: &str, mood: i64) -> mutual_store::recovery::CheckinRow {
    mutual_store::recovery::CheckinRow {
        user_id: user,
        day: day.into(),
        mood,
        craving: 1,
        sleep_hours_tenths: 70,
        sleep_quality: 3,
        exercised: false,
        regular_meals: true,
        support_contact: false,
        pledged: false,
        triggers: String::new(),
        trigger_note: None,
        gratitude: None,
        journal: None,
        created_at: NOW.0,
        updated_at: NOW.0,
    }
}

both_backends! {
    async fn concurrent_check_ins_commit_together_and_a_failing_one_fails_alone(database) {
        let db = &database.db;
        let mut users = Vec::new();
        for n in 0..20 {
            users.push(user(db, &format!("batch_member_{n}")).await.0);
        }
        let mut writes = Vec::new();
        for (n, user) in users.iter().enumerate() {
            for mood in [2, 4] {
                let db = db.clone();
                let row = checkin_row(*user, "2026-11-21", mood + (n as i64 % 2));
                writes.push(tokio::spawn(async move { mutual_store::recovery::upsert_checkin(&db, &row).await }));
            }
        }
        let ghost = checkin_row(uuid::Uuid::now_v7(), "2026-11-21", 3);
        let db_clone = db.clone();
        let failing = tokio::spawn(async move { mutual_store::recovery::upsert_checkin(&db_clone, &ghost).await });
        let mut created = 0;
        for write in writes {
            let (new, created_at) = write.await.unwrap().unwrap();
            created += usize::from(new);
            assert_eq!(created_at, NOW.0);
        }
        assert_eq!(created, 20, "exactly one of each member's two writes created the day's check-in");
        assert!(failing.await.unwrap().is_err(), "a check-in for no account is refused");
        for user in users {
            let rows = mutual_store::recovery::list_checkins(db, UserId(user), "2026-11-21", "2026-11-21").await.unwrap();
            assert_eq!(rows.len(), 1, "the failing write rolled back alone");
        }
    }
}

fn group(name: &str, implicit: bool) -> mutual_store::meetings::GroupRow {
    mutual_store::meetings::GroupRow {
        implicit,
        ..mutual_store::meetings::GroupRow::new(name, "AA", NOW.millis())
    }
}

fn meeting(slug: &str, name: &str, recurrence: &str) -> mutual_store::meetings::MeetingRow {
    mutual_store::meetings::MeetingRow {
        id: uuid::Uuid::now_v7(),
        group_id: uuid::Uuid::nil(),
        slug: slug.into(),
        name: name.into(),
        time_zone: "UTC".into(),
        start_time: "19:00".into(),
        end_time: "20:00".into(),
        recurrence: recurrence.into(),
        days: "1".into(),
        nth: (recurrence == "monthly").then_some(1),
        on_date: None,
        cancelled: String::new(),
        mode: "online".into(),
        status: "active".into(),
        location: String::new(),
        location_notes: String::new(),
        formatted_address: String::new(),
        address: String::new(),
        city: String::new(),
        state: String::new(),
        postal_code: String::new(),
        country: String::new(),
        region: String::new(),
        sub_region: String::new(),
        district: String::new(),
        regions: String::new(),
        latitude: Some(51.5),
        longitude: Some(-0.12),
        approximate: None,
        conference_url: "https://meet.example/x".into(),
        conference_url_notes: String::new(),
        conference_phone: String::new(),
        conference_phone_notes: String::new(),
        types: "O,D".into(),
        notes: String::new(),
        source_url: String::new(),
        extra: "{}".into(),
        feed_json: format!("{{\"slug\":\"{slug}\"}}"),
        created_at: NOW.millis(),
        updated_at: NOW.millis(),
    }
}

both_backends! {
    async fn imports_update_by_slug_and_match_named_groups(database) {
        use mutual_store::meetings::{self as store, ImportCounts, ImportRow};
        let db = &database.db;
        let shared = group("Shared Group", false);
        let rows = vec![
            ImportRow { meeting: meeting("one", "One", "weekly"), group: shared.clone() },
            ImportRow { meeting: meeting("two", "Two", "weekly"), group: group("Shared Group", false) },
            ImportRow { meeting: meeting("three", "Three", "monthly"), group: group("Three", true) },
        ];
        assert_eq!(store::import_meetings(db, &rows).await.unwrap(), ImportCounts { created: 3, updated: 0 });
        let one = store::find_meeting_by_slug(db, "one").await.unwrap().unwrap();
        let two = store::find_meeting_by_slug(db, "two").await.unwrap().unwrap();
        assert_eq!(one.group_id, two.group_id, "rows naming the same group share it");
        assert_eq!(store::list_groups(db).await.unwrap().len(), 2);

        let mut renamed = meeting("one", "One, renamed", "weekly");
        renamed.latitude = None;
        renamed.longitude = None;
        let again = vec![ImportRow { meeting: renamed, group: group("Another", false) }];
        assert_eq!(store::import_meetings(db, &again).await.unwrap(), ImportCounts { created: 0, updated: 1 });
        let updated = store::find_meeting_by_slug(db, "one").await.unwrap().unwrap();
        assert_eq!(updated.id, one.id, "the id is kept");
        assert_eq!(updated.group_id, one.group_id, "and the group");
        assert_eq!(updated.name, "One, renamed");
        assert_eq!(updated.latitude, None);
        assert_eq!(store::count_meetings(db).await.unwrap(), 3);

        let feed = store::list_feed_page(db, None, 1, &Default::default()).await.unwrap();
        assert_eq!(feed.len(), 1);
        let rest = store::list_feed_page(db, Some(feed[0].id), 10, &Default::default()).await.unwrap();
        assert_eq!(rest.len(), 1, "only weekly meetings, page by page");
        assert_eq!(rest[0].group_name, "Shared Group");
        assert_eq!(rest[0].feed_json, r#"{"slug":"two"}"#);
        let only = |program: &str, region: Option<&str>| store::FeedFilter { program: Some(program.into()), region: region.map(Into::into) };
        let program = rest[0].program_code.clone();
        assert_eq!(store::list_feed_page(db, None, 10, &only(&program, None)).await.unwrap().len(), 2, "one programme's feed");
        assert_eq!(store::list_feed_page(db, None, 10, &only(&program, Some("Nowhere"))).await.unwrap().len(), 0, "and one region's");
        let omitted = store::list_inexpressible(db, &Default::default()).await.unwrap();
        assert_eq!(omitted.len(), 1);
        assert_eq!(omitted[0].1, "three");
        assert!(matches!(store::delete_program(db, "AA").await, Err(StoreError::Conflict)), "a programme in use stays");
    }
}

/// Every connection of the SQLite pool may grow the file to `pages` at most (`None`: to
/// SQLite's own limit). `PRAGMA max_page_count` belongs to the connection, so each is visited.
async fn limit_pages(pool: &sqlx::SqlitePool, pages: Option<i64>) {
    let mut held = Vec::new();
    for _ in 0..pool.options().get_max_connections() {
        held.push(pool.acquire().await.unwrap());
    }
    for conn in &mut held {
        let current: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        let limit = pages.unwrap_or(1 << 30).max(current);
        sqlx::query(&format!("PRAGMA max_page_count = {limit}"))
            .execute(&mut **conn)
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_whose_transaction_sqlite_ended_itself_is_not_handed_out_again() {
    let database = TestDatabase::create(TestBackend::Sqlite).await.unwrap();
    let Db::Sqlite(pool, _) = &database.db else {
        unreachable!("a SQLite database")
    };
    // A full disk: no free pages, and the file may not grow.
    sqlx::query("VACUUM").execute(pool).await.unwrap();
    limit_pages(pool, Some(0)).await;
    // A write that needs new pages fails with SQLITE_FULL, and SQLite (with no statement
    // journal to undo just the statement) rolls the whole transaction back itself: the driver's
    // ROLLBACK then fails, and it still counts the connection as inside a transaction.
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
    let full = sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ('big', $1, 0)")
        .bind("x".repeat(20_000))
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(matches!(StoreError::from(full), StoreError::Unavailable(_)));
    drop(tx);
    // Space returns: every write succeeds, whichever pooled connection it is given (one left
    // "inside a transaction" refused every BEGIN with "begin_with at non-zero transaction depth").
    limit_pages(pool, None).await;
    for beat in 0..8 {
        database.db.heartbeat(beat).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_write_says_why_and_keeps_the_database_unready_until_a_write_succeeds() {
    use sqlx::Connection;
    let database = TestDatabase::create(TestBackend::Sqlite).await.unwrap();
    let mut other = sqlx::SqliteConnection::connect(&database.config.url)
        .await
        .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();
    // A grouped write whose batch cannot begin learns the lock, not that the writer stopped.
    let refused = database.db.heartbeat(1).await.unwrap_err();
    let StoreError::Unavailable(reason) = &refused else {
        panic!("{refused:?}")
    };
    assert!(reason.contains("locked"), "{reason}");
    let refused = mutual_store::settings::upsert_setting(&database.db, "k", "v", Timestamp(1))
        .await
        .unwrap_err();
    assert!(matches!(refused, StoreError::Unavailable(_)), "{refused:?}");
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    // The heartbeat's own update commits again, but the latest ordinary write was refused and
    // none has succeeded since: the database is still reported as refusing writes.
    assert!(matches!(
        database.db.heartbeat(2).await,
        Err(StoreError::Unavailable(_))
    ));
    mutual_store::settings::upsert_setting(&database.db, "k", "v", Timestamp(2))
        .await
        .unwrap();
    database.db.heartbeat(3).await.unwrap();
}
