//! `eclaireurs publish`: builds the site and the function's catalog, then puts both online in
//! a deployed stack, doing only what differs from what is online.
//!
//! Every step compares before it acts, so a publish stopped anywhere can simply be run again:
//! files already uploaded have the right MD5 and are skipped; the function is updated only if
//! its package differs from the deployed code; stale files are deleted only after all new
//! files are up, so no page ever refers to a file already gone.

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
    pub function_updated: bool,
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
    /// The deployed function code's SHA-256.
    function_sha256: String,
}

async fn online(options: &Options) -> Result<Online, AwsError> {
    let clients = Clients::connect(&options.region).await?;
    let stack = stack::find(&clients, &options.stack, &options.region).await?;
    let (objects, function_sha256) = tokio::try_join!(
        bucket::list(&clients, &stack.bucket),
        function::deployed_sha256(&clients, &stack.function)
    )?;
    Ok(Online {
        clients,
        stack,
        objects,
        function_sha256,
    })
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
    let Online {
        clients,
        stack,
        objects,
        function_sha256,
    } = online?;
    warn_on_other_address(&options.content, &stack.site_url);

    // Packaged before anything is sent, so a missing program stops the publish early.
    let package = Package::new(&options.bootstrap, &rendered.catalog)?;
    let update_function = function_sha256 != package.sha256();
    let local = plan::local_files(rendered.files);
    let plan = plan::plan(&local, &objects);
    drop(local);

    if options.dry_run {
        print_plan(&plan, update_function, &stack);
    } else {
        if update_function {
            // Before the pages: a new page never posts to an older form definition.
            function::update(&clients, &stack.function, &package)
                .await
                .map_err(PublishError::Stopped)?;
            println!(
                "Updated the function `{}` (new catalog {}).",
                stack.function, report.catalog_version
            );
        } else {
            println!("The function is up to date.");
        }
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
        function_updated: update_function,
        invalidation,
        site_url: stack.site_url.clone(),
        requests: clients.requests.get(),
        waited_ms: clients.requests.waited().as_millis(),
        dry_run: options.dry_run,
    };
    print_summary(&summary, start.elapsed().as_millis());
    Ok(summary)
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

fn print_plan(plan: &Plan, update_function: bool, stack: &Stack) {
    println!("Dry run: nothing is changed. The plan:");
    for file in &plan.uploads {
        println!("  upload  {} ({} bytes)", file.key, file.size());
    }
    for key in &plan.deletes {
        println!("  delete  {key}");
    }
    println!(
        "  function `{}`: {}",
        stack.function,
        if update_function {
            "would be updated (its catalog or program changed)"
        } else {
            "unchanged"
        }
    );
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
        "{verb}: {} uploaded, {} deleted, {} unchanged; function {}; invalidation {}; {} AWS requests ({} ms waiting for answers); {millis} ms in all.",
        summary.uploaded,
        summary.deleted,
        summary.unchanged,
        if summary.function_updated {
            "updated"
        } else {
            "unchanged"
        },
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
