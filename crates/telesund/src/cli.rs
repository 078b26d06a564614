//! The command line: `telesund serve | migrate | demo-data | user | token | backup`.

use crate::config::Config;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use telesund_db::staff::{NewMembership, NewStaffUser};
use telesund_db::{AccessCtx, Db};

#[derive(Parser)]
#[command(
    name = "telesund",
    version,
    about = "Telesund: cross-sector telehealth platform"
)]
struct Cli {
    /// Configuration file (TOML). Default: ./telesund.toml when present.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Database URL (sqlite://path or postgres://...), overriding the configuration.
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service (migrations run first).
    Serve {
        /// Load the demo organisations, staff and citizens first (idempotent).
        #[arg(long)]
        demo: bool,
        /// Address to listen on, e.g. 127.0.0.1:8080.
        #[arg(long)]
        listen: Option<String>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo data (idempotent) and exit.
    DemoData,
    /// Manage staff users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens for integrations.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Write a consistent copy of the SQLite database while the service runs.
    Backup {
        /// Destination file (must not exist).
        dest: PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a staff user. The password is read from TELESUND_PASSWORD, or generated and printed.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Organisation (SOR code or id) for the membership.
        #[arg(long)]
        org: Option<String>,
        /// Role in that organisation (system_admin, org_admin, clinician, ...).
        #[arg(long)]
        role: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token; the token is the last line of the output and is shown only once.
    Create {
        #[arg(long)]
        user: String,
        #[arg(long)]
        name: String,
    },
    /// List tokens (never the secrets).
    List,
    /// Revoke a token by id.
    Revoke { id: String },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(url) = &cli.database_url {
        config.database.url = url.clone();
    }
    crate::telemetry::init(&config.log.format, &config.log.filter);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    match runtime.block_on(run(cli.command, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn connect(config: &Config) -> anyhow::Result<Db> {
    Db::connect(&config.db_config())
        .await
        .map_err(|e| anyhow::anyhow!("database {}: {e}", redact(&config.database.url)))
}

/// Database URLs may hold a password; never print it.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..s + 3], user, &url[at..])
        }
        _ => url.to_string(),
    }
}

async fn run(command: Command, mut config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve { demo, listen } => {
            if let Some(l) = listen {
                config.http.listen = l;
            }
            let db = connect(&config).await?;
            if demo {
                crate::demo::load(&db).await?;
            }
            let listener = tokio::net::TcpListener::bind(&config.http.listen).await?;
            let addr = listener.local_addr()?;
            let mut http = config.http_config();
            if config.http.public_url.is_none() {
                http.public_url = format!("http://{addr}");
            }
            tracing::info!(address = %addr, database = %redact(&config.database.url), "telesund listening");
            println!("Telesund is running at {}", http.public_url);
            if demo {
                println!(
                    "Demo staff sign in with e.g. nurse.horsens@telesund.example / {}",
                    crate::demo::DEMO_PASSWORD
                );
            }
            // Missing results are looked for every five minutes: a window closes at a
            // whole minute, and a nurse's worklist need not be fresher than that. The lease
            // makes one replica run each check.
            let holder = format!("{}-{}", addr, std::process::id());
            telesund_db::monitoring::missing::spawn_missing_scheduler(
                db.clone(),
                std::time::Duration::from_secs(300),
                holder.clone(),
            );
            // Preventive maintenance: visits planned ahead of due dates, also for units in
            // homes.
            telesund_db::equipment::visits::spawn_maintenance_planner(db.clone(), holder.clone());
            // The service desk: proactive cases, SLA warnings and escalation, every minute.
            telesund_db::servicedesk::sweep::spawn_desk_sweeper(db.clone(), holder);
            crate::app::serve(listener, db, http).await?;
        }
        Command::Migrate => {
            connect(&config).await?.close().await;
            println!("migrations applied");
        }
        Command::DemoData => {
            let db = connect(&config).await?;
            crate::demo::load(&db).await?;
            db.close().await;
            println!("demo data loaded");
        }
        Command::User {
            command:
                UserCommand::Create {
                    email,
                    name,
                    org,
                    role,
                },
        } => {
            let db = connect(&config).await?;
            let memberships = match (org, role) {
                (Some(o), Some(r)) => {
                    let org = match o.parse() {
                        Ok(id) => db.organisation(telesund_core::ids::OrgId(id)).await?,
                        Err(_) => db
                            .organisation_by_sor(&o)
                            .await?
                            .ok_or_else(|| anyhow::anyhow!("no organisation with SOR code {o}"))?,
                    };
                    vec![NewMembership {
                        org_id: org.id,
                        role: telesund_core::identity::Role::parse(&r)?,
                    }]
                }
                (None, None) => vec![],
                _ => anyhow::bail!("give both --org and --role, or neither"),
            };
            let (password, generated) = match std::env::var("TELESUND_PASSWORD") {
                Ok(p) if !p.is_empty() => (p, false),
                _ => (telesund_db::secrets::random_secret(""), true),
            };
            let p = db
                .create_staff_user(
                    &AccessCtx::system("user administration"),
                    NewStaffUser {
                        email,
                        name,
                        password: Some(password.clone()),
                        memberships,
                    },
                )
                .await?;
            db.close().await;
            println!("created user {} ({})", p.user.email, p.user.id);
            if generated {
                println!("password: {password}");
            }
        }
        Command::Token { command } => {
            let db = connect(&config).await?;
            match command {
                TokenCommand::Create { user, name } => {
                    let id = db
                        .staff_id_by_email(&user)
                        .await?
                        .ok_or_else(|| anyhow::anyhow!("no staff user with e-mail {user}"))?;
                    let (token, secret) = db.create_api_token(id, &name).await?;
                    println!(
                        "created token {} '{}' for {} (shown once; only its hash is stored)",
                        token.id, token.name, token.user_email
                    );
                    println!("{secret}");
                }
                TokenCommand::List => {
                    for t in db.api_tokens().await? {
                        let state = if t.revoked_at.is_some() {
                            "revoked"
                        } else {
                            "active"
                        };
                        let used = t
                            .last_used_at
                            .map(|u| u.to_rfc3339())
                            .unwrap_or_else(|| "never".into());
                        println!(
                            "{}\t{}\t{}\t{}\tcreated {}\tlast used {}",
                            t.id,
                            t.user_email,
                            t.name,
                            state,
                            t.created_at.to_rfc3339(),
                            used
                        );
                    }
                }
                TokenCommand::Revoke { id } => {
                    let id = id
                        .parse()
                        .map_err(|_| anyhow::anyhow!("'{id}' is not a token id"))?;
                    db.revoke_api_token(id).await?;
                    println!("revoked {id}");
                }
            }
            db.close().await;
        }
        Command::Backup { dest } => {
            let db = connect(&config).await?;
            db.backup_sqlite(&dest.to_string_lossy()).await?;
            db.close().await;
            println!("backup written to {}", dest.display());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_print() {
        assert_eq!(
            super::redact("postgres://app:hunter2@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(super::redact("sqlite://data/t.db"), "sqlite://data/t.db");
    }
}
