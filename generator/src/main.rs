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
    /// Create a new region with every page in both languages, ready to fill in.
    NewRegion {
        /// The region's address, e.g. `cote-nord`.
        slug: String,
        #[arg(long, default_value = "content")]
        content: PathBuf,
    },
}

fn main() -> ExitCode {
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
                if !report.missing_translations.is_empty() {
                    println!(
                        "{} pages have no translation yet; `eclaireurs check` lists them.",
                        report.missing_translations.len()
                    );
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
        Command::Check { content } => match build::check(&content) {
            Ok(report) => {
                print_missing(&report);
                println!(
                    "No errors: {} pages checked, {} missing translations.",
                    report.pages,
                    report.missing_translations.len()
                );
                ExitCode::SUCCESS
            }
            Err(err) => fail(&err, None),
        },
        Command::NewRegion { slug, content } => match scaffold::new_region(&content, &slug) {
            Ok(dir) => {
                println!(
                    "Created {}. Fill in region.yaml and the pages in fr/ and en/, then run \
                     `eclaireurs check`.",
                    dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("error: {err}");
                ExitCode::FAILURE
            }
        },
    }
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
