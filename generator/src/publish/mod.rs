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
//! An unchanged publish builds nothing and lists nothing: when the inputs hash as at the last
//! successful publish from here and the catalog online is still the one it left, the record
//! of that publish is trusted and nothing is sent (see [`last`], which says what that does
//! not see). `--full` lists the site's bucket and compares every file all the same.
//!
//! Every step compares before it acts, so a publish stopped anywhere can simply be run again:
//! the catalog and the files already uploaded have the right MD5 and are skipped; stale
//! files are deleted only after all new files are up, so no page ever refers to a file
//! already gone.

pub mod aws;
pub mod bucket;
pub mod catalog;
pub mod cdn;
pub mod last;
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
    /// List the site's bucket and compare every file, even when the record of the last
    /// publish from here says nothing changed.
    pub full: bool,
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
    /// The functions refuse a catalog this large and keep the one they have: sending it
    /// would publish pages whose forms the functions do not know.
    #[error(
        "the functions' catalog is {size} bytes, more than the {max} they read (each region \
         with its form pages adds about 25 KB): nothing was published"
    )]
    CatalogTooLarge { size: usize, max: usize },
}

/// Refuses a catalog the functions would refuse for its size, before anything is sent.
fn check_catalog_size(catalog: &[u8]) -> Result<(), PublishError> {
    let max = eclaireurs_model::catalog::MAX_SIZE;
    match catalog.len() > max {
        true => Err(PublishError::CatalogTooLarge {
            size: catalog.len(),
            max,
        }),
        false => Ok(()),
    }
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
    /// The site's bucket: key → ETag; `None` when the record of the last publish is trusted
    /// and the bucket was not listed.
    objects: Option<HashMap<String, String>>,
    catalog: CatalogOnline,
}

/// The record of the last publish from here, and the hash of the inputs to come: what
/// decides whether the site's bucket needs listing at all.
struct Trust<'a> {
    record: &'a last::Record,
    inputs: tokio::sync::oneshot::Receiver<Option<String>>,
}

async fn online(options: &Options, trust: Option<Trust<'_>>) -> Result<Online, AwsError> {
    let clients = Clients::connect(&options.region).await?;
    let stack = stack::find(&clients, &options.stack, &options.region).await?;
    if let Some(trust) = trust.filter(|t| t.record.bucket == stack.bucket) {
        // The catalog's HEAD first (one request, made while the inputs are hashed): when
        // both are the record's, the bucket is not listed.
        let (catalog, inputs) = tokio::join!(catalog::online(&clients, &stack), trust.inputs);
        let catalog = catalog?;
        let inputs = inputs.ok().flatten();
        let objects = if trust
            .record
            .trusted(inputs.as_deref(), &stack.bucket, &catalog)
        {
            None
        } else {
            Some(bucket::list(&clients, &stack.bucket).await?)
        };
        return Ok(Online {
            clients,
            stack,
            objects,
            catalog,
        });
    }
    // The catalog's HEAD is made while the site's bucket is being listed.
    let (objects, catalog) = tokio::try_join!(
        bucket::list(&clients, &stack.bucket),
        catalog::online(&clients, &stack)
    )?;
    Ok(Online {
        clients,
        stack,
        objects: Some(objects),
        catalog,
    })
}

pub async fn publish(options: &Options) -> Result<Summary, PublishError> {
    let start = Instant::now();
    let record_path = last::path(options);
    let record = record_path.as_deref().and_then(last::load);
    // The inputs are hashed while what is online is read; when they are not those of the
    // last publish, the build (in memory) starts at once, still beside the reading.
    let content = options.content.clone();
    let known = record.clone();
    // Without `--full`, the listing waits for the hash: the record may make it needless.
    let (send_inputs, inputs_hashed) = tokio::sync::oneshot::channel();
    let trust = record
        .as_ref()
        .filter(|_| !options.full)
        .map(|record| Trust {
            record,
            inputs: inputs_hashed,
        });
    let prepare = async move {
        let hashing = content.clone();
        let hash = async {
            tokio::task::spawn_blocking(move || last::inputs(&hashing))
                .await
                .ok()
                .flatten()
        };
        let Some(record) = known else {
            // No record to compare with: nothing to wait for before building.
            let (inputs, built) = tokio::join!(hash, build_in_memory(content));
            return (inputs, Some(built));
        };
        let inputs = hash.await;
        // Nobody waits for it with `--full` or once the stack is not the record's.
        let _ = send_inputs.send(inputs.clone());
        let built = if inputs.as_ref() == Some(&record.inputs) {
            None
        } else {
            Some(build_in_memory(content).await)
        };
        (inputs, built)
    };
    let ((inputs, built), online) = tokio::join!(prepare, online(options, trust));
    let Online {
        clients,
        stack,
        objects,
        catalog: catalog_online,
    } = match online {
        Ok(online) => online,
        Err(err) => {
            // Content problems are reported first: nothing is sent while the content has one.
            if let Some(Err(problems)) = built {
                return Err(problems);
            }
            return Err(err.into());
        }
    };
    let objects = match (objects, &record) {
        // Not listed: the record was trusted (same inputs, same catalog online).
        (None, Some(record)) => {
            println!(
                "Nothing changed since this computer's last publish ({}): nothing sent. To \
                 compare every file online again, run `publish --full`.",
                last::date(record.published_at)
            );
            return Ok(unchanged(options, record, &clients, &stack, start));
        }
        (Some(objects), _) => objects,
        // Never: only a record is trusted.
        (None, None) => bucket::list(&clients, &stack.bucket).await?,
    };
    let same = record
        .as_ref()
        .filter(|_| built.is_none())
        .filter(|r| r.still_online(&stack.bucket, &objects, &catalog_online));
    if let Some(record) = same {
        println!(
            "Nothing to build: the content, the theme and this program are those of the last \
             publish, and every file online is still what it left ({} pages and {} files; {} \
             ms).",
            record.pages,
            record.files,
            start.elapsed().as_millis()
        );
        return Ok(unchanged(options, record, &clients, &stack, start));
    }
    let rendered = match built {
        Some(built) => built?,
        // The inputs are the last publish's but what is online changed: build and compare.
        None => build_in_memory(options.content.clone()).await?,
    };
    let report = &rendered.report;
    println!(
        "Built {} pages and {} files ({} ms).",
        report.pages,
        report.files,
        report.elapsed.as_millis()
    );
    let notes = notes(report);
    for note in &notes {
        println!("{note}");
    }
    after_build(options, &stack);

    check_catalog_size(&rendered.catalog)?;
    let local = plan::local_files(rendered.files);
    let catalog_file = catalog::local(rendered.catalog);
    let plan = plan::plan(&local, &objects, &catalog_file, &catalog_online);
    let record = inputs.map(|inputs| last::Record {
        inputs,
        bucket: stack.bucket.clone(),
        listing: last::listing_of(&local),
        catalog_md5: catalog_file.md5_hex(),
        catalog_version: report.catalog_version.clone(),
        pages: report.pages,
        files: report.files,
        unchanged: local.len(),
        notes,
        published_at: 0,
    });
    drop(local);
    drop(objects);

    if options.dry_run {
        print_plan(&plan, &stack);
    } else {
        if let (Some(path), false) = (&record_path, plan.is_empty()) {
            // What is online is about to change: the record holds again only once it is done.
            last::forget(path);
        }
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
    if let (Some(path), Some(mut record), false) = (&record_path, record, options.dry_run) {
        record.published_at = last::now();
        last::save(path, &record);
    }
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

/// An unchanged publish, known from the record of the last one: its notes, the stack's
/// warnings and the summary, as a publish that compared everything would say them.
fn unchanged(
    options: &Options,
    record: &last::Record,
    clients: &Clients,
    stack: &Stack,
    start: Instant,
) -> Summary {
    for note in &record.notes {
        println!("{note}");
    }
    after_build(options, stack);
    if options.dry_run {
        println!("Dry run: nothing is changed. The plan:");
        println!("  catalog: unchanged");
        println!("  invalidation: none");
    }
    let summary = Summary {
        uploaded: 0,
        deleted: 0,
        unchanged: record.unchanged,
        catalog_updated: false,
        rate_limited: stack.rate_limited,
        invalidation: None,
        site_url: stack.site_url.clone(),
        requests: clients.requests.get(),
        waited_ms: clients.requests.waited().as_millis(),
        dry_run: options.dry_run,
    };
    print_summary(&summary, start.elapsed().as_millis());
    summary
}

/// The site built in memory, on a blocking thread.
async fn build_in_memory(content: PathBuf) -> Result<build::Rendered, PublishError> {
    tokio::task::spawn_blocking(move || build::render(&content))
        .await
        .map_err(|e| PublishError::Crashed(e.to_string()))?
        .map_err(PublishError::from)
}

/// What the build says about the content at every publish: the pages still to translate,
/// the regions with nobody named to answer (published anyway), the drafts left out.
fn notes(report: &build::Report) -> Vec<String> {
    let mut notes = Vec::new();
    if !report.missing_translations.is_empty() {
        notes.push(format!(
            "{} pages have no translation yet; `eclaireurs check` lists them.",
            report.missing_translations.len()
        ));
    }
    notes.extend(
        report
            .missing_contacts
            .iter()
            .map(|c| format!("warning: {c}")),
    );
    notes.extend(report.drafts.iter().map(|d| format!("note: {d}")));
    notes
}

/// The warnings about the stack, said once the site is built.
fn after_build(options: &Options, stack: &Stack) {
    warn_on_other_address(&options.content, &stack.site_url);
    if let Some(warning) = stack::rate_limit_warning(stack) {
        println!("{warning}");
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_catalog_the_functions_would_refuse_for_its_size_is_never_sent() {
        let max = eclaireurs_model::catalog::MAX_SIZE;
        assert!(check_catalog_size(&vec![b' '; max]).is_ok());
        let refused = check_catalog_size(&vec![b' '; max + 1]).expect_err("too large");
        assert!(
            refused.to_string().contains("nothing was published"),
            "{refused}"
        );
    }
}
