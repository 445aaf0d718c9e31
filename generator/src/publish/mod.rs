//! `eclaireurs publish`: builds the site and the functions' catalog, then puts both online in
//! a deployed stack, doing only what differs from what is online. In order: the catalog into
//! the stack's private `CatalogBucket` (so a new form's page never reaches people before the
//! functions can know the form: they look for a newer catalog at most every
//! `CATALOG_TTL_SECONDS`, a minute by default), the site's files (assets, other files,
//! pages), the deletions, the invalidation.
//!
//! Publishing is data only: it never calls Lambda, and never changes the functions' code or
//! configuration. The functions read the catalog from the bucket at run time and refuse a
//! bad one (keeping the last good one); their code changes only through `sam deploy`, by an
//! administrator. The content is checked here too (the model's `Catalog::check`, run by
//! the build), so a bad catalog never leaves the editor's machine.
//!
//! Every step compares before it acts, so a publish stopped anywhere can simply be run again:
//! the catalog and the files already uploaded have the right MD5 and are skipped; stale
//! files are deleted only after all new files are up, so no page ever refers to a file
//! already gone.

pub mod aws;
pub mod bucket;
pub mod catalog;
pub mod cdn;
pub mod media;
pub mod plan;
mod progress;
pub mod stack;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crate::build::{self, BuildError};
use aws::{AwsError, Clients};
use plan::{CatalogOnline, Invalidation, LocalFile, Plan};
use stack::Stack;

/// Uploads under way at once.
const CONCURRENT_UPLOADS: usize = 8;

pub struct Options {
    pub stack: String,
    pub region: String,
    pub content: PathBuf,
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
    #[error("the build stopped unexpectedly: {0}")]
    Crashed(String),
}

/// What a publish did.
#[derive(Debug)]
pub struct Summary {
    pub uploaded: usize,
    pub deleted: usize,
    pub unchanged: usize,
    /// The catalog was put into the catalog's bucket (or would be, in a dry run).
    pub catalog_updated: bool,
    /// The stack's per-address rate limit (WebAclArn) is on.
    pub rate_limited: bool,
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
    /// The site's bucket: key → ETag.
    objects: HashMap<String, String>,
    catalog: CatalogOnline,
}

async fn online(options: &Options) -> Result<Online, AwsError> {
    let clients = Clients::connect(&options.region).await?;
    let stack = stack::find(&clients, &options.stack, &options.region).await?;
    // The catalog's HEAD is made while the site's bucket is being listed.
    let (objects, catalog) = tokio::try_join!(
        bucket::list(&clients, &stack.bucket),
        catalog::online(&clients, &stack)
    )?;
    Ok(Online {
        clients,
        stack,
        objects,
        catalog,
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
        catalog: catalog_online,
    } = online?;
    warn_on_other_address(&options.content, &stack.site_url);
    if let Some(warning) = stack::rate_limit_warning(&stack) {
        println!("{warning}");
    }

    let local = plan::local_files(rendered.files);
    let plan = plan::plan(
        &local,
        &objects,
        &catalog::local(rendered.catalog),
        &catalog_online,
    );
    drop(local);

    if options.dry_run {
        print_plan(&plan, &stack);
    } else {
        // Before the pages: a new form's page never posts to a function that does not know
        // the form yet (the functions see the new object at their next freshness check).
        if let Some(catalog) = &plan.catalog {
            catalog::upload(&clients, &stack, catalog)
                .await
                .map_err(PublishError::Stopped)?;
            println!(
                "Put the catalog {} into the bucket `{}`.",
                report.catalog_version, stack.catalog_bucket
            );
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
        catalog_updated: plan.catalog.is_some(),
        rate_limited: stack.rate_limited,
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

fn print_plan(plan: &Plan, stack: &Stack) {
    println!("Dry run: nothing is changed. The plan:");
    match &plan.catalog {
        Some(catalog) => println!(
            "  catalog {} ({} bytes) into the bucket `{}`, before any page",
            catalog.key,
            catalog.size(),
            stack.catalog_bucket
        ),
        None => println!("  catalog: unchanged"),
    }
    for file in &plan.uploads {
        println!("  upload  {} ({} bytes)", file.key, file.size());
    }
    for key in &plan.deletes {
        println!("  delete  {key}");
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
        "{verb}: {} uploaded, {} deleted, {} unchanged; catalog: {}; invalidation {}; {} AWS requests ({} ms waiting for answers); {millis} ms in all.",
        summary.uploaded,
        summary.deleted,
        summary.unchanged,
        if summary.catalog_updated {
            "updated"
        } else {
            "unchanged"
        },
        summary.invalidation.as_deref().unwrap_or("none"),
        summary.requests,
        summary.waited_ms,
    );
    println!("The site: {}/", summary.site_url);
    if summary.catalog_updated && !summary.dry_run {
        // The functions ask the bucket at most once a minute (CATALOG_TTL_SECONDS in
        // template.yaml): a new form's page may be online a little before they know it.
        println!(
            "The forms' new definitions are in use by the functions within a minute (each asks for them at most once a minute)."
        );
    }
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
