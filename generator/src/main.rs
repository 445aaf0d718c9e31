//! The `eclaireurs` command: build, check and scaffold a regional site.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use eclaireurs::build::{self, BuildError, Report};
use eclaireurs::scaffold;

#[derive(Parser)]
#[command(
    name = "eclaireurs",
    version,
    about = "Builds the bilingual Réseau d'éclaireurs sites"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// What `package` builds from, and the function's program it packages.
#[cfg(feature = "publish")]
#[derive(clap::Args)]
struct PackageArgs {
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// The function's program for Lambda (arm64), as `scripts/package-function` builds it.
    #[arg(long, default_value = eclaireurs::package::BOOTSTRAP)]
    bootstrap: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into a folder of static files.
    Build {
        /// The content folder.
        #[arg(long, default_value = "content")]
        content: PathBuf,
        /// The output folder; replaced only when the build succeeds.
        #[arg(long, default_value = "public")]
        out: PathBuf,
    },
    /// Preview the site with live reload and working forms, on http://127.0.0.1:PORT/.
    #[cfg(feature = "serve")]
    Serve {
        #[arg(long, default_value = "content")]
        content: PathBuf,
        #[arg(long, default_value_t = 8000)]
        port: u16,
    },
    /// Report content problems and missing translations, without writing anything.
    Check {
        #[arg(long, default_value = "content")]
        content: PathBuf,
    },
    /// Build the site, then put the forms' catalog (into the stack's catalog bucket, first)
    /// and the site online in a deployed stack: only what changed is sent. Never changes the
    /// functions' code or settings (that is `sam deploy`, by an administrator).
    #[cfg(feature = "publish")]
    Publish {
        /// The CloudFormation stack deployed from template.yaml (the name given to `sam deploy`).
        #[arg(long)]
        stack: String,
        /// Print what would be uploaded (the catalog included), deleted and invalidated, and
        /// change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Compare every file online with the site, and put back any that differs (one
        /// changed or removed online by hand, or by a publish from another computer). Without
        /// it, when nothing changed here since this computer's last publish and the forms
        /// online are still the ones it sent, publish trusts that and sends nothing, without
        /// looking at every file.
        #[arg(long)]
        full: bool,
        /// The AWS region of the stack.
        #[arg(long, default_value = eclaireurs_model::AWS_REGION)]
        region: String,
        /// The content folder.
        #[arg(long, default_value = "content")]
        content: PathBuf,
    },
    /// Build the site, then write the function's Lambda zip (its program and the catalog it
    /// falls back on), for `sam deploy`.
    #[cfg(feature = "publish")]
    Package {
        #[command(flatten)]
        build: PackageArgs,
        /// Where the site is built (replaced only if the build succeeds).
        #[arg(long, default_value = "public")]
        out: PathBuf,
        /// Where to write the zip.
        #[arg(long, default_value = eclaireurs::package::ZIP)]
        zip: PathBuf,
    },
    /// Write the inventory of personal information (privacy-inventory.fr.md and .en.md) that
    /// the privacy officer hands to the privacy impact assessment: each form's fields, their
    /// purpose, who can read them (from template.yaml's policies), where and how long they
    /// are kept, and the safeguards.
    PrivacyInventory {
        #[arg(long, default_value = "content")]
        content: PathBuf,
        /// The folder to write the two files into.
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// Create a new region, as a draft, with every page in both languages, ready to fill in.
    NewRegion {
        /// The region's address, e.g. `cote-nord`.
        slug: String,
        /// The region's name in French, as people write it, e.g. "Côte-Nord".
        #[arg(long)]
        name_fr: String,
        /// The region's name in English (the French name when not given: place names are
        /// mostly the same).
        #[arg(long)]
        name_en: Option<String>,
        #[arg(long, default_value = "content")]
        content: PathBuf,
    },
}

fn main() -> ExitCode {
    quit_quietly_on_closed_pipe();
    let cli = Cli::parse();
    match cli.command {
        Command::Build { content, out } => match build::build(&content, &out, "") {
            Ok(report) => {
                println!(
                    "Built {} pages and {} files into {} in {} ms.",
                    report.pages,
                    report.files,
                    out.display(),
                    report.elapsed.as_millis()
                );
                println!(
                    "{} written, {} unchanged, {} removed.",
                    count(report.output.written, "file", "files"),
                    report.output.unchanged,
                    report.output.removed
                );
                if report.pictures.encoded + report.pictures.reused > 0 {
                    println!(
                        "Pictures: {} encoded, {} from the cache.",
                        report.pictures.encoded, report.pictures.reused
                    );
                }
                if !report.missing_translations.is_empty() {
                    println!(
                        "{} pages have no translation yet; `eclaireurs check` lists them.",
                        report.missing_translations.len()
                    );
                }
                for (n, one, many) in [
                    (report.drafts.len(), "draft left out", "drafts left out"),
                    (
                        report.missing_contacts.len(),
                        "contact still to be named",
                        "contacts still to be named",
                    ),
                ] {
                    if n > 0 {
                        println!("{}; `eclaireurs check` lists them.", count(n, one, many));
                    }
                }
                ExitCode::SUCCESS
            }
            Err(err) => fail(&err, Some(&out)),
        },
        #[cfg(feature = "serve")]
        Command::Serve { content, port } => {
            let runtime = match tokio::runtime::Runtime::new() {
                Ok(runtime) => runtime,
                Err(err) => {
                    eprintln!("error: cannot start: {err}");
                    return ExitCode::FAILURE;
                }
            };
            match runtime.block_on(eclaireurs::serve::serve(&content, port)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("error: {err:#}");
                    ExitCode::FAILURE
                }
            }
        }
        #[cfg(feature = "publish")]
        Command::Publish {
            stack,
            dry_run,
            full,
            region,
            content,
        } => {
            let options = eclaireurs::publish::Options {
                stack,
                region,
                content,
                dry_run,
                full,
            };
            let runtime = match tokio::runtime::Runtime::new() {
                Ok(runtime) => runtime,
                Err(err) => {
                    eprintln!("error: cannot start: {err}");
                    return ExitCode::FAILURE;
                }
            };
            match runtime.block_on(eclaireurs::publish::publish(&options)) {
                Ok(_) => ExitCode::SUCCESS,
                Err(eclaireurs::publish::PublishError::Build(err)) => {
                    fail(&err, None);
                    eprintln!("Nothing was published.");
                    ExitCode::FAILURE
                }
                Err(err @ eclaireurs::publish::PublishError::Stopped(_)) => {
                    eprintln!("error: {err}");
                    eprintln!(
                        "The publish stopped; what is online is whole (nothing was deleted \
                         before its replacement). Run it again once fixed."
                    );
                    ExitCode::FAILURE
                }
                Err(err) => {
                    eprintln!("error: {err}");
                    eprintln!("Nothing was published.");
                    ExitCode::FAILURE
                }
            }
        }
        #[cfg(feature = "publish")]
        Command::Package { build, out, zip } => match package(&build, &out, &zip) {
            Ok(()) => ExitCode::SUCCESS,
            Err(PackageFailure::Build(err)) => fail(&err, Some(&out)),
            Err(PackageFailure::Package(err)) => {
                eprintln!("error: {err}");
                ExitCode::FAILURE
            }
        },
        Command::Check { content } => match build::check(&content) {
            Ok(report) => {
                print_missing(&report);
                for contact in &report.missing_contacts {
                    println!("warning: {contact}");
                }
                for draft in &report.drafts {
                    println!("note: {draft}");
                }
                println!(
                    "No errors: {} pages checked, {} missing translations, {}, {}.",
                    report.pages,
                    report.missing_translations.len(),
                    count(
                        report.missing_contacts.len(),
                        "missing contact",
                        "missing contacts"
                    ),
                    count(report.drafts.len(), "draft left out", "drafts left out")
                );
                ExitCode::SUCCESS
            }
            Err(err) => fail(&err, None),
        },
        Command::PrivacyInventory { content, out } => {
            match eclaireurs::inventory::write(&content, &out) {
                Ok(files) => {
                    for file in files {
                        println!("Wrote {}.", file.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(eclaireurs::inventory::InventoryError::Content(problems)) => {
                    fail(&BuildError::Content(problems), None)
                }
                Err(err) => {
                    eprintln!("error: {err}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::NewRegion {
            slug,
            name_fr,
            name_en,
            content,
        } => {
            let name = eclaireurs_model::Localized {
                en: name_en.unwrap_or_else(|| name_fr.clone()),
                fr: name_fr,
            };
            match scaffold::new_region(&content, &slug, &name) {
                Ok(dir) => {
                    println!(
                        "Created {} as a draft: `serve` shows it, `build` and `publish` leave it \
                         out. Write region.yaml and the pages in fr/ and en/ (every `{}` and \
                         `{}`), then remove `draft: true` from region.yaml; `eclaireurs check` \
                         says what is left.",
                        dir.display(),
                        eclaireurs_model::placeholder::FR,
                        eclaireurs_model::placeholder::EN
                    );
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    eprintln!("error: {err}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

#[cfg(feature = "publish")]
enum PackageFailure {
    Build(BuildError),
    Package(eclaireurs::package::PackageError),
}

/// Builds, then zips the function's program with the new catalog.
#[cfg(feature = "publish")]
fn package(
    args: &PackageArgs,
    out: &std::path::Path,
    zip: &std::path::Path,
) -> Result<(), PackageFailure> {
    use eclaireurs::package::{Package, PackageError};
    let report = build::build(&args.content, out, "").map_err(PackageFailure::Build)?;
    let catalog_path = out.join(build::CATALOG_FILE);
    let catalog = std::fs::read(&catalog_path).map_err(|source| {
        PackageFailure::Package(PackageError::Read {
            path: catalog_path,
            source,
        })
    })?;
    let package = Package::new(&args.bootstrap, &catalog).map_err(PackageFailure::Package)?;
    package.write_to(zip).map_err(PackageFailure::Package)?;
    println!(
        "Wrote {} ({} bytes, SHA-256 {}): the function with catalog {}.",
        zip.display(),
        package.bytes.len(),
        package.sha256(),
        report.catalog_version
    );
    Ok(())
}

/// `1 draft left out`, `2 drafts left out`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn print_missing(report: &Report) {
    for missing in &report.missing_translations {
        println!("warning: {missing}");
    }
}

fn fail(err: &BuildError, out: Option<&PathBuf>) -> ExitCode {
    match err {
        BuildError::Content(problems) => {
            for problem in problems {
                eprintln!("error: {problem}");
            }
            eprintln!(
                "{} problem{} to fix.",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            );
        }
        BuildError::Output(err) => eprintln!("error: {err}"),
    }
    if let Some(out) = out {
        eprintln!("Nothing was published: {} is unchanged.", out.display());
    }
    ExitCode::FAILURE
}

/// Rust ignores SIGPIPE, so printing into a closed pipe (`eclaireurs check | head -1`) would
/// panic; the default action ends the program quietly instead, as other tools do.
fn quit_quietly_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called first in `main`, before any thread exists; it only resets a signal's
    // action to the system default.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
