//! The command line: `serve`, `migrate`, `check-config`, `backup`, `restore`, `admin create`
//! and `import meeting-guide`.

use crate::config::Config;
use crate::server::{self, shutdown_signal};
use crate::telemetry;
use clap::{Parser, Subcommand};
use mutual_app::{App, Db, DbConfig};
use mutual_domain::SystemClock;
use mutual_web::WebConfig;
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Mutual: a self-hosted peer-support network for recovery communities.
#[derive(Parser, Debug)]
#[command(name = "mutual", version, about)]
pub struct Cli {
    /// A TOML configuration file (optional; defaults work without one).
    #[arg(long, global = true, value_name = "FILE", env = "MUTUAL_CONFIG")]
    pub config: Option<PathBuf>,
    /// The database: sqlite://PATH or postgres://...
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// On an empty database, first fill it with a small fictional demo community.
        #[arg(long)]
        demo: bool,
    },
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Print the effective settings (secrets redacted), then exit.
    CheckConfig,
    /// Print the API's OpenAPI 3.1 document (as served at /api/v1/openapi.json), then exit.
    Openapi {
        /// Print the README's API reference table instead.
        #[arg(long)]
        markdown: bool,
    },
    /// Write a consistent backup of the database to FILE while servers keep running (SQLite;
    /// on PostgreSQL this runs pg_dump).
    Backup {
        /// The backup to write; it must not exist yet.
        file: PathBuf,
    },
    /// Replace the SQLite database with the backup FILE: the backup is checked first, the
    /// replaced database is kept beside it, and the schema is brought up to date.
    Restore {
        /// The backup to restore.
        file: PathBuf,
        /// Replace the database even though a server has it open (restart every server on it
        /// at once afterwards).
        #[arg(long)]
        force: bool,
    },
    /// Administration from the command line.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Import meetings from another directory.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Sync the directory from other directories (the admins' page does the same; running
    /// servers also run each source on its schedule).
    Sync {
        #[command(subcommand)]
        command: SyncCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum SyncCommand {
    /// Add a source to sync from; prints its id.
    Add {
        #[arg(long)]
        name: String,
        /// meeting_guide, bmlt or csv.
        #[arg(long, default_value = "meeting_guide")]
        kind: String,
        #[arg(long)]
        url: String,
        /// The programme code of its meetings.
        #[arg(long, value_name = "CODE")]
        program: String,
        #[arg(long, default_value = "24", value_name = "HOURS")]
        every_hours: String,
        /// Hold its changes for an admin's review instead of applying them.
        #[arg(long)]
        review: bool,
    },
    /// Run a source now and print what its run did. Exit status 1 when the run failed.
    Run {
        /// The source's id.
        id: uuid::Uuid,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Import a Meeting Guide JSON feed, a BMLT GetSearchResults answer or a CSV in the 12 Step
    /// Meeting List plugin's layout. Meetings with a slug already here are updated. Exit
    /// status: 0 when every row was imported, 1 when some rows were rejected (each listed on
    /// standard error), 2 when nothing could be read.
    MeetingGuide {
        /// The feed file.
        file: PathBuf,
        /// The programme code of new groups (default OTHER).
        #[arg(long, value_name = "CODE")]
        program: Option<String>,
        /// The time zone of rows without one (default: the server's).
        #[arg(long, value_name = "ZONE")]
        timezone: Option<String>,
        /// Import a row whose slug an earlier row has as `{slug}-2` (reported) instead of
        /// rejecting it.
        #[arg(long)]
        rename_duplicates: bool,
    },
}

/// Why the command failed, and the exit status to report.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub status: u8,
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure { message, status: 1 }
    }
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create an admin. The password is read from MUTUAL_ADMIN_PASSWORD or standard input.
    Create {
        #[arg(long, value_name = "NAME")]
        username: String,
    },
}

/// Runs the parsed command line; `Ok` carries the exit status, the error a message for the
/// operator.
pub async fn run(cli: Cli) -> Result<u8, Failure> {
    let mut config = Config::load(cli.config.as_deref(), |name| std::env::var(name).ok())?;
    if let Some(url) = cli.database_url {
        config.database.url = url;
    }
    if let Command::Serve {
        listen: Some(listen),
        ..
    } = &cli.command
    {
        config.server.listen = listen.clone();
    }
    config.check()?;
    telemetry::init(&config.log);
    match cli.command {
        Command::CheckConfig => {
            print!("{}", config.to_redacted_toml());
            Ok(0)
        }
        Command::Openapi { markdown } => {
            if markdown {
                print!("{}", mutual_web::api_reference_markdown());
            } else {
                println!("{:#}", mutual_web::openapi_document());
            }
            Ok(0)
        }
        Command::Migrate => {
            let db = open_database(&config).await?;
            db.close().await;
            println!("The database is up to date.");
            Ok(0)
        }
        Command::Backup { file } => backup(&config, &file).await,
        Command::Restore { file, force } => restore(&config, &file, force).await,
        Command::Import {
            command:
                ImportCommand::MeetingGuide {
                    file,
                    program,
                    timezone,
                    rename_duplicates,
                },
        } => {
            let options = mutual_app::meetings::interop::ImportOptions {
                program,
                time_zone: timezone,
                rename_duplicates,
            };
            import_meeting_guide(&config, &file, &options).await
        }
        Command::Sync { command } => sync(&config, command).await,
        Command::Admin {
            command: AdminCommand::Create { username },
        } => {
            let password = read_admin_password()?;
            let db = open_database(&config).await?;
            let app = App::new(db.clone(), Arc::new(SystemClock), config.app.clone());
            let result = mutual_app::admin::create_admin(&app, &username, &password).await;
            db.close().await;
            match result {
                Ok(_) => {
                    println!("Admin created. They can log in now.");
                    Ok(0)
                }
                Err(error) => Err(describe(error).into()),
            }
        }
        Command::Serve { demo, .. } => serve(config, demo).await.map(|()| 0).map_err(Failure::from),
    }
}

/// A use case's error as lines for the operator.
fn describe(error: mutual_app::AppError) -> String {
    match error {
        mutual_app::AppError::Invalid(errors) => errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

/// The PostgreSQL recipes the README gives, for when this command cannot do it itself.
const PG_BACKUP: &str = "pg_dump --format=custom --file=FILE \"$MUTUAL_DATABASE_URL\"";
const PG_RESTORE: &str =
    "pg_restore --clean --if-exists --no-owner --dbname=\"$MUTUAL_DATABASE_URL\" FILE";

fn is_postgres(config: &Config) -> bool {
    config.database.url.starts_with("postgres")
}

async fn backup(config: &Config, file: &std::path::Path) -> Result<u8, Failure> {
    if is_postgres(config) {
        let ran = std::process::Command::new("pg_dump")
            .arg("--format=custom")
            .arg(format!("--file={}", file.display()))
            .arg(&config.database.url)
            .status();
        return match ran {
            Ok(status) if status.success() => {
                println!("Backed up to {} (pg_dump).", file.display());
                Ok(0)
            }
            Ok(status) => Err(format!("pg_dump failed ({status})").into()),
            Err(e) => Err(Failure {
                message: format!(
                    "cannot run pg_dump ({e}); install PostgreSQL's client tools, or run: {PG_BACKUP}"
                ),
                status: 2,
            }),
        };
    }
    mutual_store::backup::backup(&config.database.url, file)
        .await
        .map_err(|e| e.to_string())?;
    println!("Backed up to {} (checked: integrity ok).", file.display());
    Ok(0)
}

async fn restore(config: &Config, file: &std::path::Path, force: bool) -> Result<u8, Failure> {
    if is_postgres(config) {
        return Err(Failure {
            message: format!(
                "restore PostgreSQL with its own tool, servers stopped: {PG_RESTORE}; then run mutual migrate"
            ),
            status: 2,
        });
    }
    let kept = mutual_store::backup::restore(file, &config.database.url, force)
        .await
        .map_err(|e| e.to_string())?;
    println!("Restored {} and brought it up to date.", file.display());
    if let Some(kept) = kept {
        println!("The database it replaced is kept as {}.", kept.display());
    }
    Ok(0)
}

async fn import_meeting_guide(
    config: &Config,
    file: &std::path::Path,
    options: &mutual_app::meetings::interop::ImportOptions,
) -> Result<u8, Failure> {
    let unreadable = |message: String| Failure { message, status: 2 };
    let bytes = std::fs::read(file)
        .map_err(|e| unreadable(format!("cannot read {}: {e}", file.display())))?;
    let db = open_database(config).await.map_err(unreadable)?;
    let app = App::new(db.clone(), Arc::new(SystemClock), config.app.clone());
    let result = mutual_app::meetings::interop::import_feed(&app, &bytes, options).await;
    db.close().await;
    let report = result.map_err(|e| unreadable(describe(e)))?;
    for rejected in &report.rejected {
        eprintln!(
            "row {} ({}): {}",
            rejected.row,
            rejected.slug.as_deref().unwrap_or("no slug"),
            rejected.reason
        );
    }
    for renamed in &report.renamed {
        println!(
            "row {} ({}): imported as {} (row {} has that slug)",
            renamed.row, renamed.slug, renamed.renamed, renamed.first
        );
    }
    println!(
        "Imported {} new and {} updated meetings; {} rows rejected.",
        report.created,
        report.updated,
        report.rejected.len()
    );
    if report.zoned_by_default > 0 {
        println!(
            "{} rows named no time zone and were given {}.",
            report.zoned_by_default, report.default_zone
        );
    }
    if report.zoned_by_area > 0 {
        println!(
            "{} rows named no time zone and were given their area's.",
            report.zoned_by_area
        );
    }
    if report.areas_added > 0 {
        println!(
            "{} areas the rows named were added to the directory's areas.",
            report.areas_added
        );
    }
    Ok(if report.rejected.is_empty() { 0 } else { 1 })
}

/// `mutual sync add` and `mutual sync run`.
async fn sync(config: &Config, command: SyncCommand) -> Result<u8, Failure> {
    use mutual_app::meetings::sync;
    let db = open_database(config).await?;
    let app = App::new(db.clone(), Arc::new(SystemClock), config.app.clone());
    let result = match command {
        SyncCommand::Add {
            name,
            kind,
            url,
            program,
            every_hours,
            review,
        } => {
            let input = sync::SourceInput {
                name: &name,
                kind: &kind,
                url: &url,
                program: &program,
                every_hours: &every_hours,
                auto_apply: !review,
            };
            sync::add_source(&app, &input).await.map(|id| {
                println!("{id}");
                0
            })
        }
        SyncCommand::Run { id } => sync::run_now(&app, id).await.map(|run| {
            println!(
                "{}: {} added, {} changed, {} removed{}",
                run.status,
                run.added,
                run.changed,
                run.removed,
                if run.error.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", run.error)
                }
            );
            u8::from(run.status == "failed")
        }),
    };
    db.close().await;
    result.map_err(|e| describe(e).into())
}

async fn open_database(config: &Config) -> Result<Db, String> {
    let db_config = DbConfig {
        max_connections: config.database.max_connections,
        acquire_timeout: Duration::from_secs(config.database.acquire_timeout_seconds),
        ..DbConfig::new(config.database.url.clone())
    };
    let db = Db::connect(&db_config)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    db.migrate()
        .await
        .map_err(|e| format!("cannot migrate the database: {e}"))?;
    Ok(db)
}

fn read_admin_password() -> Result<String, String> {
    if let Ok(password) = std::env::var("MUTUAL_ADMIN_PASSWORD")
        && !password.is_empty()
    {
        return Ok(password);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!(
            "Password for the new admin (input is shown; prefer MUTUAL_ADMIN_PASSWORD or a pipe):"
        );
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err(
            "no password given: set MUTUAL_ADMIN_PASSWORD or pipe it on standard input".into(),
        );
    }
    Ok(password)
}

async fn serve(mut config: Config, demo: bool) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(&config.server.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.server.listen))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    if config.app.public_url == mutual_app::AppConfig::default().public_url {
        config.app.public_url = format!("http://{address}");
    }
    let db = open_database(&config).await?;
    // Held while serving, so that `mutual restore` will not swap the file out underneath.
    let _serving = mutual_store::backup::hold(&config.database.url).map_err(|e| e.to_string())?;
    let app = App::new(db.clone(), Arc::new(SystemClock), config.app.clone());
    if demo {
        match mutual_app::demo::seed_demo(&app)
            .await
            .map_err(|e| e.to_string())?
        {
            Some(accounts) => {
                println!(
                    "Demo community created. Every demo account's password is \"{}\":",
                    mutual_app::demo::DEMO_PASSWORD
                );
                for (name, role) in accounts {
                    println!("  {name:<16} {role}");
                }
            }
            None => println!("The database already has accounts; no demo data was added."),
        }
    }
    let base = config.app.public_url.trim_end_matches('/').to_owned();
    if let Some(token) = mutual_app::admin::ensure_setup_token(&app)
        .await
        .map_err(|e| e.to_string())?
    {
        println!(
            "No admin yet. Create the first one here (the link works once): {base}/setup/{token}"
        );
    }
    let web = WebConfig {
        secure_cookies: config.secure_cookies(),
        trusted_proxy_hops: config.server.forwarded_hops(),
        request_timeout: Duration::from_secs(config.server.request_timeout_seconds),
        max_body_bytes: config.server.max_body_kib * 1024,
    };
    let housekeeping = server::spawn_housekeeping(app.clone(), Duration::from_secs(600));
    let reminders = server::spawn_reminders(app.clone(), Duration::from_secs(30));
    let directory_sync = server::spawn_directory_sync(app.clone(), Duration::from_secs(60));
    let running = server::start(
        listener,
        app,
        web,
        config.server.limits(),
        shutdown_signal(),
    )
    .map_err(|e| e.to_string())?;
    println!(
        "Mutual is serving on {base} (database: {})",
        db.backend().as_str()
    );
    let result = running.wait().await;
    housekeeping.abort();
    reminders.abort();
    directory_sync.abort();
    db.close().await;
    tracing::info!("stopped cleanly");
    result.map_err(|e| format!("the server stopped with an error: {e}"))
}
