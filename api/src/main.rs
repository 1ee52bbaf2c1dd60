//! `caremgr`: the Care Manager server and its operator commands.

use std::io::BufRead;
use std::process::ExitCode;

use api::auth::Authorized;
use api::config::Config;
use api::seed::{self, Seeded};
use api::{db, organizations, users};
use chrono::Utc;
use clap::{Parser, Subcommand};
use diesel::Connection;
use shared::auth::Role;
use shared::users::NewUser;
use shared::validation::{Context, Valid};

/// mimalloc, not the system allocator: a page of 50 worklist items allocates
/// and frees thousands of small strings and a few 50 kB buffers on threads
/// that hand them to each other, where glibc's malloc spent about 14 % of
/// the server's CPU consolidating and unlinking chunks (bench/RESULTS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "caremgr",
    version,
    about = "Care Manager: API server and operator commands"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations, then serve the API and the web app on `BIND_ADDR`.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo organizations, users and patients into an empty database.
    SeedDemo,
    /// Create a user (and the organization, if it does not exist yet).
    CreateUser {
        /// Organization name (created if missing) or id.
        #[arg(long)]
        org: String,
        /// Login email.
        #[arg(long)]
        email: String,
        /// admin, supervisor, `care_manager` or viewer.
        #[arg(long)]
        role: Role,
        /// Display name (defaults to the email).
        #[arg(long)]
        name: Option<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Print the `OpenAPI` document.
    Openapi,
    /// Send due webhook deliveries (as every `serve` does every
    /// `WEBHOOK_INTERVAL_MS`): once with `--once`, else until stopped.
    /// Any number of processes may run this; each delivery attempt is made
    /// by one of them.
    Webhooks {
        /// Run one pass and exit.
        #[arg(long)]
        once: bool,
    },
    /// Run one scheduler pass (time-based screening duties, care-plan
    /// reviews, risk as it ages) and exit. Skips when another process is
    /// running a pass.
    Scheduler {
        /// The time the rules take as now (RFC 3339; default: the clock).
        #[arg(long)]
        at: Option<chrono::DateTime<chrono::Utc>>,
    },
}

fn database_url() -> Result<String, String> {
    std::env::var("DATABASE_URL").map_err(|_| "DATABASE_URL is not set".to_string())
}

fn migrate() -> Result<(), String> {
    let mut conn = db::connect_once(&database_url()?)?;
    let applied = db::migrate(&mut conn)?;
    println!("{} migration(s) applied", applied.len());
    Ok(())
}

fn run_scheduler(at: Option<chrono::DateTime<chrono::Utc>>) -> Result<(), String> {
    let mut conn = db::connect_once(&database_url()?)?;
    db::migrate(&mut conn)?;
    let clock = at.unwrap_or_else(chrono::Utc::now);
    let runner = format!("caremgr scheduler pid {}", std::process::id());
    let ran = conn
        .transaction(|conn| api::scheduler::run_once(conn, clock, &runner))
        .map_err(|e| e.to_string())?;
    match ran {
        Some(r) => println!(
            "Scheduler pass at {clock}: {} tasks opened, {} risks recomputed.",
            r.tasks_opened, r.risks_updated
        ),
        None => println!("Another process is running a scheduler pass; skipped."),
    }
    Ok(())
}

fn run_webhooks(once: bool) -> Result<(), String> {
    let url = database_url()?;
    let mut conn = db::connect_once(&url)?;
    db::migrate(&mut conn)?;
    drop(conn);
    let settings =
        api::config::webhook_settings(&|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
            .map_err(|e| e.to_string())?;
    let every = settings
        .interval
        .unwrap_or(std::time::Duration::from_secs(1));
    let sender = api::webhooks::delivery::Sender::new(settings)?;
    actix_web::rt::System::new().block_on(async move {
        let pool = actix_web::web::Data::new(db::Db::connect(&url, 4));
        if once {
            let n = sender.run_once(&pool).await.map_err(|e| e.to_string())?;
            println!("{n} webhook deliveries attempted.");
        } else {
            api::webhooks::delivery::worker(pool, sender, every).await;
        }
        Ok(())
    })
}

fn seed_demo() -> Result<(), String> {
    let mut conn = db::connect_once(&database_url()?)?;
    db::migrate(&mut conn)?;
    match seed::seed_demo(&mut conn).map_err(|e| e.to_string())? {
        Seeded::Loaded { users, patients } => {
            println!("Loaded demo data: {users} users, {patients} patients.");
            println!("Local demo logins (password `{}`):", seed::DEMO_PASSWORD);
            for email in [
                "admin@riverside.example",
                "supervisor@riverside.example",
                "cm1@riverside.example … cm3@riverside.example",
                "viewer@riverside.example",
                "admin@lakeside.example",
            ] {
                println!("  {email}");
            }
        }
        Seeded::AlreadyHasData => println!("The database already has data; demo data not loaded."),
    }
    Ok(())
}

fn create_user(
    org: String,
    email: String,
    role: Role,
    name: Option<String>,
    password_stdin: bool,
) -> Result<(), String> {
    let (password, generated) = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        (line.trim_end_matches(['\r', '\n']).to_string(), false)
    } else {
        (api::auth::tokens::random_token(15), true)
    };
    let new = NewUser {
        name: name.unwrap_or_else(|| email.clone()),
        email,
        role,
        password,
    };
    // The user's rules do not look at the date, and the organization may
    // not exist yet: check before touching the database.
    let new = Valid::new(new, &Context::before_sign_in(Utc::now())).map_err(|e| {
        shared::validation::field_errors(&e)
            .into_iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    let hash = api::auth::passwords::hash(&new.password)?;
    let password = new.password.clone();
    let mut conn = db::connect_once(&database_url()?)?;
    db::migrate(&mut conn)?;
    let user = conn
        .transaction(|conn| {
            let (org_id, tz) = match org.parse::<uuid::Uuid>() {
                Ok(id) => organizations::store::find(conn, id.into())?.ok_or_else(|| {
                    api::error::ApiError::NotFound(format!("no organization {id}"))
                })?,
                Err(_) => organizations::store::find_or_create(
                    conn,
                    &org,
                    chrono_tz::America::Los_Angeles,
                )?,
            };
            let auth = Authorized::system(org_id, tz, "caremgr create-user");
            users::service::create(conn, &auth, new, &hash)
        })
        .map_err(|e| e.problem().detail.unwrap_or_else(|| e.to_string()))?;
    println!(
        "Created {} ({}) as {}.",
        user.email,
        user.id,
        user.role.label()
    );
    if generated {
        println!("Generated password (shown once): {password}");
    }
    Ok(())
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve => match Config::from_env() {
            Ok(config) => actix_web::rt::System::new()
                .block_on(api::server::serve(config))
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        },
        Command::Migrate => migrate(),
        Command::SeedDemo => seed_demo(),
        Command::CreateUser {
            org,
            email,
            role,
            name,
            password_stdin,
        } => create_user(org, email, role, name, password_stdin),
        Command::Scheduler { at } => run_scheduler(at),
        Command::Webhooks { once } => run_webhooks(once),
        Command::Openapi => serde_json::to_string_pretty(&api::server::openapi_document())
            .map(|json| println!("{json}"))
            .map_err(|e| e.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("caremgr: {e}");
            ExitCode::FAILURE
        }
    }
}
