//! `eclaireurs publish`: builds the site and the functions' catalog, then puts both online in
//! a deployed stack, doing only what differs from what is online.
//!
//! Every step compares before it acts, so a publish stopped anywhere can simply be run again:
//! files already uploaded have the right MD5 and are skipped; each function (the API and the
//! notifications run the same package) is updated only if the package differs from its
//! deployed code; stale files are deleted only after all new files are up, so no page ever
//! refers to a file already gone.

pub mod aws;
pub mod bucket;
pub mod cdn;
pub mod function;
pub mod media;
pub mod plan;
mod progress;
pub mod stack;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crate::build::{self, BuildError};
use crate::package::{Package, PackageError};
use aws::{AwsError, Clients};
use function::{Deployed, Step};
use plan::{Invalidation, LocalFile, Plan};
use stack::Stack;

/// Uploads under way at once.
const CONCURRENT_UPLOADS: usize = 8;

pub struct Options {
    pub stack: String,
    pub region: String,
    pub content: PathBuf,
    pub bootstrap: PathBuf,
    pub dry_run: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Build(#[from] BuildError),
    /// Before anything was changed (the stack, credentials, reading what is online).
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// Once changes had begun: what is online is whole (nothing is deleted before its
    /// replacement is up), and running publish again finishes the job.
    #[error(transparent)]
    Stopped(AwsError),
    #[error(transparent)]
    Package(#[from] PackageError),
    #[error("the build stopped unexpectedly: {0}")]
    Crashed(String),
}

/// What a publish did.
#[derive(Debug)]
pub struct Summary {
    pub uploaded: usize,
    pub deleted: usize,
    pub unchanged: usize,
    /// Every function of the stack and what was done with it (or would be, in a dry run).
    pub functions: Vec<(String, Step)>,
    /// The invalidation's id; in a dry run, `planned` when one would be made.
    pub invalidation: Option<String>,
    pub site_url: String,
    pub requests: usize,
    /// Time spent waiting for AWS's answers (summed over requests).
    pub waited_ms: u128,
    pub dry_run: bool,
}

/// What is online before a publish.
struct Online {
    clients: Clients,
    stack: Stack,
    /// key → ETag.
    objects: HashMap<String, String>,
    /// Each function's deployed code, in the stack's order.
    functions: Vec<Deployed>,
}

async fn online(options: &Options) -> Result<Online, AwsError> {
    let clients = Clients::connect(&options.region).await?;
    let stack = stack::find(&clients, &options.stack, &options.region).await?;
    let (objects, functions) = tokio::try_join!(
        bucket::list(&clients, &stack.bucket),
        deployed_functions(&clients, &stack.functions)
    )?;
    Ok(Online {
        clients,
        stack,
        objects,
        functions,
    })
}

/// One after the other: two quick reads, made while the bucket is being listed.
async fn deployed_functions(
    clients: &Clients,
    functions: &[String],
) -> Result<Vec<Deployed>, AwsError> {
    let mut deployed = Vec::with_capacity(functions.len());
    for name in functions {
        deployed.push(function::deployed(clients, name).await?);
    }
    Ok(deployed)
}

pub async fn publish(options: &Options) -> Result<Summary, PublishError> {
    let start = Instant::now();
    // The build (in memory) and the reading of what is online run side by side. Content
    // problems are reported first: nothing is sent while the content has one.
    let content = options.content.clone();
    let build = tokio::task::spawn_blocking(move || build::render(&content));
    let (built, online) = tokio::join!(build, online(options));
    let rendered = built.map_err(|e| PublishError::Crashed(e.to_string()))??;
    let report = &rendered.report;
    println!(
        "Built {} pages and {} files ({} ms).",
        report.pages,
        report.files,
        report.elapsed.as_millis()
    );
    if !report.missing_translations.is_empty() {
        println!(
            "{} pages have no translation yet; `eclaireurs check` lists them.",
            report.missing_translations.len()
        );
    }
    // Published anyway (a region may wait for its body to name someone), but said each time.
    for contact in &report.missing_contacts {
        println!("warning: {contact}");
    }
    for draft in &report.drafts {
        println!("note: {draft}");
    }
    let Online {
        clients,
        stack,
        objects,
        functions: deployed,
    } = online?;
    warn_on_other_address(&options.content, &stack.site_url);

    // Packaged before anything is sent, so a missing program stops the publish early.
    let package = Arc::new(Package::new(&options.bootstrap, &rendered.catalog)?);
    let sha256 = package.sha256();
    let functions: Vec<(String, Step)> = stack
        .functions
        .iter()
        .zip(&deployed)
        .map(|(name, deployed)| (name.clone(), function::step(deployed, &sha256)))
        .collect();
    let local = plan::local_files(rendered.files);
    let plan = plan::plan(&local, &objects);
    drop(local);

    if options.dry_run {
        print_plan(&plan, &functions);
    } else {
        // Before the pages: a new page never posts to an older form definition, and what it
        // sends is notified from the same catalog.
        update_functions(&clients, &functions, &package, &report.catalog_version)
            .await
            .map_err(PublishError::Stopped)?;
        upload_all(&clients, &stack.bucket, &plan.uploads)
            .await
            .map_err(PublishError::Stopped)?;
        if !plan.uploads.is_empty() {
            println!("Uploaded {} files.", plan.uploads.len());
        }
        if !plan.deletes.is_empty() {
            bucket::delete(&clients, &stack.bucket, &plan.deletes)
                .await
                .map_err(PublishError::Stopped)?;
            println!("Deleted {} old files.", plan.deletes.len());
        }
    }
    let invalidation = if options.dry_run {
        (plan.invalidation != Invalidation::None).then(|| "planned".to_string())
    } else {
        cdn::invalidate(&clients, &stack.distribution, &plan.invalidation)
            .await
            .map_err(PublishError::Stopped)?
    };
    let summary = Summary {
        uploaded: plan.uploads.len(),
        deleted: plan.deletes.len(),
        unchanged: plan.unchanged,
        functions,
        invalidation,
        site_url: stack.site_url.clone(),
        requests: clients.requests.get(),
        waited_ms: clients.requests.waited().as_millis(),
        dry_run: options.dry_run,
    };
    print_summary(&summary, start.elapsed().as_millis());
    Ok(summary)
}

/// Brings every function to the package, side by side (an update takes seconds to become
/// active). Every function's outcome is awaited before an error is returned, so a failure of
/// one never leaves the other's update unreported or cut off: a rerun sends only what still
/// differs.
async fn update_functions(
    clients: &Clients,
    functions: &[(String, Step)],
    package: &Arc<Package>,
    catalog_version: &str,
) -> Result<(), AwsError> {
    let tasks: Vec<_> = functions
        .iter()
        .map(|(name, step)| {
            let (clients, name, package, step) =
                (clients.clone(), name.clone(), package.clone(), *step);
            tokio::spawn(async move {
                match step {
                    Step::UpToDate => Ok(()),
                    Step::Update => function::update(&clients, &name, &package).await,
                    Step::Wait => function::wait_until_active(&clients, &name).await,
                }
            })
        })
        .collect();
    let mut first_error = None;
    for ((name, step), task) in functions.iter().zip(tasks) {
        match task.await {
            Ok(Ok(())) => match step {
                Step::UpToDate => println!("The function `{name}` is up to date."),
                Step::Update => {
                    println!("Updated the function `{name}` (new catalog {catalog_version}).")
                }
                Step::Wait => println!(
                    "The function `{name}` already had this package; its update is now active."
                ),
            },
            Ok(Err(err)) => {
                first_error.get_or_insert(err);
            }
            Err(err) => {
                first_error.get_or_insert(AwsError::Failed {
                    action: format!("updating the function `{name}`"),
                    message: err.to_string(),
                });
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// Assets first, then other files, pages last; each group finished before the next starts.
async fn upload_all(
    clients: &Clients,
    bucket: &str,
    uploads: &[LocalFile],
) -> Result<(), AwsError> {
    if uploads.is_empty() {
        return Ok(());
    }
    let bar = progress::Bar::new(uploads.len());
    // The plan sorted the uploads by rank: each group is done before the next starts.
    for group in uploads.chunk_by(|a, b| plan::upload_rank(&a.key) == plan::upload_rank(&b.key)) {
        let limit = Arc::new(tokio::sync::Semaphore::new(CONCURRENT_UPLOADS));
        let mut tasks = tokio::task::JoinSet::new();
        for file in group {
            let file = file.clone();
            let clients = clients.clone();
            let bucket = bucket.to_string();
            let limit = limit.clone();
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await;
                bucket::upload(&clients, &bucket, &file).await
            });
        }
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(Ok(())) => bar.inc(),
                Ok(Err(err)) => return Err(err),
                Err(err) => {
                    return Err(AwsError::Failed {
                        action: "uploading".into(),
                        message: err.to_string(),
                    })
                }
            }
        }
    }
    bar.finish();
    Ok(())
}

fn print_plan(plan: &Plan, functions: &[(String, Step)]) {
    println!("Dry run: nothing is changed. The plan:");
    for file in &plan.uploads {
        println!("  upload  {} ({} bytes)", file.key, file.size());
    }
    for key in &plan.deletes {
        println!("  delete  {key}");
    }
    for (name, step) in functions {
        println!(
            "  function `{name}`: {}",
            match step {
                Step::UpToDate => "unchanged",
                Step::Update => "would be updated (its catalog or program changed)",
                Step::Wait => "has this package, its update still under way (publish would wait)",
            }
        );
    }
    match &plan.invalidation {
        Invalidation::None => println!("  invalidation: none"),
        Invalidation::Paths(paths) => println!("  invalidation: {}", paths.join(" ")),
        Invalidation::Everything => println!("  invalidation: /* (many paths changed)"),
    }
}

fn print_summary(summary: &Summary, millis: u128) {
    let verb = if summary.dry_run {
        "Would publish"
    } else {
        "Published"
    };
    println!(
        "{verb}: {} uploaded, {} deleted, {} unchanged; functions: {}; invalidation {}; {} AWS requests ({} ms waiting for answers); {millis} ms in all.",
        summary.uploaded,
        summary.deleted,
        summary.unchanged,
        summary
            .functions
            .iter()
            .map(|(name, step)| format!("{name} {}", step.done()))
            .collect::<Vec<_>>()
            .join(", "),
        summary.invalidation.as_deref().unwrap_or("none"),
        summary.requests,
        summary.waited_ms,
    );
    println!("The site: {}/", summary.site_url);
}

/// Canonical links and the sitemap use `base_url`: say so when it is not the stack's address.
fn warn_on_other_address(content: &Path, site_url: &str) {
    let Ok(config) = eclaireurs_model::Config::load(&content.join("config.yaml")) else {
        return;
    };
    if config.base_url.trim_end_matches('/') != site_url.trim_end_matches('/') {
        println!(
            "warning: base_url in {} is {}, but the stack's site is {site_url}: canonical links \
             and the sitemap point to base_url",
            content.join("config.yaml").display(),
            config.base_url
        );
    }
}
