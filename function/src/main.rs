//! `eclaireurs-function`: under Lambda when `AWS_LAMBDA_RUNTIME_API` is set (the API, or
//! with the handler `notifications` the notification function), otherwise a local HTTP
//! server on `--listen`; `create-table` creates the DynamoDB table; `export` and `privacy`
//! are the staff's commands.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use axum::http::StatusCode;
use clap::{Parser, Subcommand};

use eclaireurs_function::catalog::Catalog;
use eclaireurs_function::config::Settings;
use eclaireurs_function::http::{self, server};
use eclaireurs_function::store::dynamodb::{client, DynamoStore};
use eclaireurs_function::store::{schema, Selection};
use eclaireurs_function::{export, notify, privacy};
use eclaireurs_model::Lang;

#[derive(Parser)]
#[command(
    name = "eclaireurs-function",
    version,
    about = "Receives and stores the éclaireurs forms"
)]
struct Cli {
    /// Where to listen outside Lambda.
    #[arg(long, default_value = "127.0.0.1:9000")]
    listen: SocketAddr,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Create the DynamoDB table named by SUBMISSIONS_TABLE, with the keys, indexes and
    /// stream of template.yaml, in whatever DynamoDB the environment points at.
    CreateTable,
    /// Write a region's submissions for a spreadsheet: a workbook (xlsx) by default, or CSV.
    Export(ExportArgs),
    /// A person's privacy request: find, export or delete their submissions.
    Privacy {
        #[command(subcommand)]
        action: PrivacyAction,
    },
    /// Who read or changed which items in a window of days, from the trail's log files.
    Audit(AuditArgs),
}

#[derive(clap::Args)]
struct AuditArgs {
    /// First day, YYYY-MM-DD (UTC), included.
    #[arg(long)]
    from: String,
    /// Last day, YYYY-MM-DD (UTC), included.
    #[arg(long)]
    to: String,
    /// Only the principals whose ARN, role or session name holds this (any case).
    #[arg(long)]
    principal: Option<String>,
    /// The audit bucket (default: AUDIT_BUCKET; the stack's output AuditBucket).
    #[arg(long)]
    bucket: Option<String>,
    /// The trail's S3 key prefix, if it has one.
    #[arg(long, default_value = "")]
    prefix: String,
    /// The account whose logs to read (default: the one the bucket holds).
    #[arg(long)]
    account: Option<String>,
    /// The table (default: SUBMISSIONS_TABLE).
    #[arg(long)]
    table: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: eclaireurs_function::audit::report::Format,
    /// Where to write (default: the standard output).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(clap::Args)]
struct ExportArgs {
    /// The region's slug, e.g. bas-saint-laurent.
    #[arg(long)]
    region: String,
    /// Only this form: registration or need-report (default: both).
    #[arg(long)]
    kind: Option<String>,
    /// First day received, YYYY-MM-DD (a day in Quebec, as the export shows times), included.
    #[arg(long, value_parser = day)]
    from: Option<String>,
    /// Last day received, YYYY-MM-DD (a day in Quebec), included.
    #[arg(long, value_parser = day)]
    to: Option<String>,
    /// Only this status: new, in-progress or done.
    #[arg(long)]
    status: Option<String>,
    /// The file: xlsx (a workbook, every answer a text cell) or csv (UTF-8, for other
    /// programs).
    #[arg(long, value_enum, default_value = "xlsx")]
    format: export::Format,
    /// Between cells of a CSV: semicolon (Excel in French) or comma (Excel in English).
    #[arg(long, value_enum, default_value = "semicolon")]
    separator: export::Separator,
    /// The language of the headers and choice labels.
    #[arg(long, default_value = "fr")]
    language: String,
    /// Where to write (default: the standard output, unless it is a terminal).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

/// `--from`, `--to`: a day as [`eclaireurs_function::store::parse_day`] takes it.
fn day(text: &str) -> Result<String, eclaireurs_function::store::DayError> {
    eclaireurs_function::store::parse_day(text)
}

#[derive(clap::Args)]
struct Person {
    /// The person's email address, as they gave it (read as the forms read it: case,
    /// spaces and the way accents are typed do not matter; invisible characters are refused).
    #[arg(long)]
    email: String,
    /// Only this region's submissions.
    #[arg(long)]
    region: Option<String>,
}

#[derive(Subcommand)]
enum PrivacyAction {
    /// List the person's submissions (an access request starts here).
    Find(Person),
    /// Write the person's submissions with every answer, for an access request.
    Export {
        #[command(flatten)]
        person: Person,
        #[arg(long, value_enum, default_value = "json")]
        format: PrivacyFormat,
        /// Where to write (default: the standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Delete the person's submissions (a deletion request, or consent withdrawn).
    Delete {
        #[command(flatten)]
        person: Person,
        /// Delete without asking (needed when not run from a terminal).
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PrivacyFormat {
    Json,
    /// The export's columns, as CSV.
    Csv,
    /// The export's columns, as a workbook.
    Xlsx,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logs();
    let settings = Settings::from_env().map_err(anyhow::Error::msg)?;

    match cli.command {
        Some(Command::CreateTable) => return create_table(&settings).await,
        Some(Command::Export(args)) => return export_command(&settings, args).await,
        Some(Command::Privacy { action }) => return privacy_command(&settings, action).await,
        Some(Command::Audit(args)) => return audit_command(&settings, args).await,
        None => {}
    }

    let lambda = std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some();
    if lambda && std::env::var("_HANDLER").as_deref() == Ok(notify::HANDLER) {
        return notify::run(settings).await;
    }
    // Every request goes through the current catalog: a form newly published is taken
    // without a restart.
    let live = eclaireurs_function::live(settings).await?;
    let router = http::live::app(live.clone());
    if lambda {
        lambda_http::run(router)
            .await
            .map_err(|e| anyhow::anyhow!("the Lambda runtime stopped: {e}"))?;
        return Ok(());
    }
    let listener = tokio::net::TcpListener::bind(cli.listen)
        .await
        .with_context(|| format!("cannot listen on {}", cli.listen))?;
    println!(
        "Listening on http://{}/api/ — submissions go to the {}.",
        listener.local_addr().unwrap_or(cli.listen),
        live.current().state.store.describe()
    );
    let report: server::Report = std::sync::Arc::new(|event: server::Event<'_>| {
        match event {
        // Each submission logs its own outcome; only what never reaches the API is told here.
        server::Event::HeadersTooSlow => tracing::info!(
            outcome = "timeout",
            "a client did not send its request headers within {} s: disconnected",
            server::HEADER_TIMEOUT.as_secs()
        ),
        server::Event::Answered { status, .. } if status == StatusCode::REQUEST_TIMEOUT => {
            tracing::info!(
                outcome = "timeout",
                status = status.as_u16(),
                "a client did not send its request body within {} s: answered 408 and disconnected",
                server::BODY_TIMEOUT.as_secs()
            )
        }
        server::Event::Unreadable { status } => tracing::info!(
            outcome = "unreadable",
            status = status.as_u16(),
            "a client sent a request head that is not HTTP or is too large: answered and disconnected"
        ),
        server::Event::AnswersNotRead { after } => tracing::info!(
            outcome = "timeout",
            "a client did not read its answers within {} s: disconnected",
            after.as_secs()
        ),
        server::Event::Answered { .. } => {}
    }
    });
    server::serve(
        listener,
        router,
        async {
            let _ = tokio::signal::ctrl_c().await;
        },
        report,
        std::sync::Arc::new(
            move |refusal: server::Refusal, headers: &axum::http::HeaderMap| {
                server::answer_for(&live.current().state.catalog, refusal, headers)
            },
        ),
        server::Limits::default(),
    )
    .await;
    Ok(())
}

/// JSON lines on stderr, at the level `RUST_LOG` names (`info` by default), for this crate's
/// own events. Every other crate's stay at `info` or above whatever `RUST_LOG` says: below
/// that, the Lambda runtime logs each whole event it receives (`trace`: the request's body,
/// so names, emails and the text of a report), which must never reach the logs; the AWS SDK
/// and the HTTP libraries log connection and signing details there, held back as well.
fn init_logs() {
    use tracing_subscriber::filter::{EnvFilter, LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    let chosen = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let others_at_most_info = Targets::new()
        .with_default(LevelFilter::INFO)
        .with_target("eclaireurs_function", LevelFilter::TRACE);
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .with_current_span(false)
                .with_target(false)
                .with_writer(std::io::stderr),
        )
        .with(chosen)
        .with(others_at_most_info)
        .init();
}

async fn create_table(settings: &Settings) -> anyhow::Result<()> {
    let table = settings
        .table
        .clone()
        .context("set SUBMISSIONS_TABLE to the name of the table to create")?;
    DynamoStore::new(client().await, table.clone())
        .create_table()
        .await
        .with_context(|| format!("creating the table {table}"))?;
    println!("Created the table {table}.");
    Ok(())
}

/// A known region slug, or an error that lists the known ones.
fn check_region(catalog: &Catalog, region: &str) -> anyhow::Result<()> {
    if catalog.regions.contains_key(region) {
        return Ok(());
    }
    let mut known: Vec<&str> = catalog.regions.keys().map(String::as_str).collect();
    known.sort_unstable();
    bail!(
        "--region {region}: no such region (known: {})",
        known.join(", ")
    )
}

/// Writes `bytes` to `output` (a file made whole before it takes the name) or stdout.
fn write_out(output: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match output {
        None => std::io::stdout()
            .write_all(bytes)
            .context("cannot write to the standard output"),
        Some(path) => {
            let dir = match path.parent() {
                Some(dir) if !dir.as_os_str().is_empty() => dir,
                _ => Path::new("."),
            };
            let mut file = tempfile::NamedTempFile::new_in(dir)
                .with_context(|| format!("cannot write in {}", dir.display()))?;
            file.write_all(bytes)
                .and_then(|()| file.as_file().sync_all())
                .with_context(|| format!("cannot write {}", path.display()))?;
            file.persist(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(())
        }
    }
}

async fn export_command(settings: &Settings, args: ExportArgs) -> anyhow::Result<()> {
    if args.format == export::Format::Xlsx
        && args.output.is_none()
        && std::io::stdout().is_terminal()
    {
        bail!("a workbook is not for the terminal: add --output FILE.xlsx (or --format csv)");
    }
    let catalog = eclaireurs_function::catalog(settings)?;
    check_region(&catalog, &args.region)?;
    eclaireurs_function::store::check_days(args.from.as_deref(), args.to.as_deref())?;
    let lang = Lang::from_code(&args.language)
        .with_context(|| format!("--language {}: fr or en", args.language))?;
    if let Some(status) = &args.status {
        if !schema::STATUSES.contains(&status.as_str()) {
            bail!("--status {status}: one of {}", schema::STATUSES.join(", "));
        }
    }
    let forms: Vec<_> = match &args.kind {
        Some(kind) => vec![catalog.form(kind).with_context(|| {
            let known: Vec<&str> = catalog.forms.keys().map(String::as_str).collect();
            format!("--kind {kind}: no such form (known: {})", known.join(", "))
        })?],
        None => catalog.forms.values().collect(),
    };
    let (from, to) = Selection::quebec_days(args.from.as_deref(), args.to.as_deref())?;
    let archive = eclaireurs_function::archive(settings, &catalog).await;
    let mut records = Vec::new();
    for form in &forms {
        let selection = Selection {
            region: args.region.clone(),
            kind: form.id.clone(),
            from: from.clone(),
            to: to.clone(),
            status: args.status.clone(),
        };
        let found = archive
            .list(&selection)
            .await
            .with_context(|| format!("cannot read {}", archive.describe()))?;
        records.extend(found);
    }
    records.sort_by(|a, b| a.submitted_at.cmp(&b.submitted_at));
    let bytes = export::write(
        args.format,
        args.separator,
        &catalog,
        &forms,
        &records,
        lang,
        Some(&args.region),
    )?;
    write_out(args.output.as_deref(), &bytes)?;
    tracing::info!(region = %args.region, rows = records.len(), "export");
    eprintln!(
        "Exported {} submission(s) of {} from {}{}.",
        records.len(),
        args.region,
        archive.describe(),
        args.output
            .as_ref()
            .map(|p| format!(" to {}", p.display()))
            .unwrap_or_default()
    );
    Ok(())
}

async fn privacy_command(settings: &Settings, action: PrivacyAction) -> anyhow::Result<()> {
    let catalog = eclaireurs_function::catalog(settings)?;
    let person = match &action {
        PrivacyAction::Find(person)
        | PrivacyAction::Export { person, .. }
        | PrivacyAction::Delete { person, .. } => person,
    };
    // Read as the forms read a person's address, so what they stored is what is found.
    let address = privacy::address(&catalog, &person.email)?;
    if let Some(region) = &person.region {
        check_region(&catalog, region)?;
    }
    let archive = eclaireurs_function::archive(settings, &catalog).await;
    let store = archive.describe();
    // What was searched is said on the standard output only: the standard error carries the
    // logs, which never hold an address.
    let records = privacy::find(&archive, &address, person.region.as_deref())
        .await
        .with_context(|| format!("cannot search {store}"))?;
    match action {
        PrivacyAction::Find(_) => {
            println!(
                "{} submission(s) with the address {address} in {store}.",
                records.len()
            );
            if !records.is_empty() {
                println!("{}", privacy::summary(&catalog, &records));
            }
            privacy::log("find", records.len(), 0, &store);
        }
        PrivacyAction::Export {
            format,
            output,
            person,
        } => {
            let bytes = match format {
                PrivacyFormat::Json => {
                    let mut json = serde_json::to_vec_pretty(&privacy::export(&records))
                        .context("cannot write the JSON")?;
                    json.push(b'\n');
                    json
                }
                PrivacyFormat::Csv | PrivacyFormat::Xlsx => {
                    let forms: Vec<_> = catalog.forms.values().collect();
                    let file = match format {
                        PrivacyFormat::Xlsx => export::Format::Xlsx,
                        _ => export::Format::Csv,
                    };
                    export::write(
                        file,
                        export::Separator::Semicolon,
                        &catalog,
                        &forms,
                        &records,
                        Lang::Fr,
                        person.region.as_deref(),
                    )?
                }
            };
            write_out(output.as_deref(), &bytes)?;
            eprintln!(
                "Exported {} submission(s) with this address from {store}{}.",
                records.len(),
                output
                    .as_ref()
                    .map(|p| format!(" to {}", p.display()))
                    .unwrap_or_default()
            );
            privacy::log("export", records.len(), 0, &store);
        }
        PrivacyAction::Delete { yes, .. } => {
            if records.is_empty() {
                println!("No submission with the address {address} in {store}: nothing to delete.");
                privacy::log("delete", 0, 0, &store);
                return Ok(());
            }
            println!(
                "{} submission(s) with the address {address} in {store}:\n{}",
                records.len(),
                privacy::summary(&catalog, &records)
            );
            if !yes {
                if !std::io::stdin().is_terminal() {
                    bail!("nothing deleted: add --yes to delete these submissions");
                }
                print!("Delete them for good? Type yes to confirm: ");
                std::io::stdout().flush().ok();
                let mut answer = String::new();
                std::io::stdin()
                    .read_line(&mut answer)
                    .context("cannot read the answer")?;
                if answer.trim() != "yes" {
                    println!("Nothing deleted.");
                    privacy::log("delete", records.len(), 0, &store);
                    return Ok(());
                }
            }
            let deleted = archive
                .delete(&records)
                .await
                .with_context(|| format!("cannot delete from {store}"))?;
            println!("Deleted {deleted} submission(s) from {store}.");
            privacy::log("delete", records.len(), deleted, &store);
        }
    }
    Ok(())
}

async fn audit_command(settings: &Settings, args: AuditArgs) -> anyhow::Result<()> {
    use eclaireurs_function::audit::{self, report, AuditError};
    let filter = audit::Filter {
        table: args
            .table
            .or_else(|| settings.table.clone())
            .ok_or(AuditError::NoTable)?,
        from: audit::parse_day("from", &args.from)?,
        to: audit::parse_day("to", &args.to)?,
        principal: args.principal.filter(|p| !p.trim().is_empty()),
    };
    let bucket_name = args
        .bucket
        .or_else(|| std::env::var("AUDIT_BUCKET").ok())
        .filter(|b| !b.trim().is_empty())
        .ok_or(AuditError::NoBucket)?;
    let region = std::env::var("AWS_REGION")
        .ok()
        .filter(|r| !r.trim().is_empty())
        .unwrap_or_else(|| eclaireurs_model::AWS_REGION.to_string());
    let request = audit::Request {
        bucket: bucket_name.clone(),
        prefix: args.prefix,
        account: args.account,
        region: region.clone(),
        filter,
    };
    let bucket = audit::LogBucket::connect(&bucket_name, &region).await?;
    let found = audit::run(&bucket, &request).await?;
    let bytes = report::write(&found.rows, args.format).context("cannot write the report")?;
    write_out(args.output.as_deref(), &bytes)?;
    let window = format!("from {} to {}", request.filter.from, request.filter.to);
    eprintln!(
        "{}",
        report::summary(&found, &request.filter.table, &window)
    );
    Ok(())
}
