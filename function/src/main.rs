//! `eclaireurs-function`: under Lambda when `AWS_LAMBDA_RUNTIME_API` is set, otherwise a
//! local HTTP server on `--listen`; `create-table` creates the DynamoDB table.

use std::net::SocketAddr;

use anyhow::Context;
use clap::{Parser, Subcommand};

use eclaireurs_function::config::Settings;
use eclaireurs_function::http::app;
use eclaireurs_function::store::dynamodb::{client, DynamoStore};

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
    /// Create the DynamoDB table named by SUBMISSIONS_TABLE, with the keys and index of
    /// template.yaml, in whatever DynamoDB the environment points at.
    CreateTable,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_current_span(false)
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
    let settings = Settings::from_env().map_err(anyhow::Error::msg)?;

    if let Some(Command::CreateTable) = cli.command {
        let table = settings
            .table
            .clone()
            .context("set SUBMISSIONS_TABLE to the name of the table to create")?;
        DynamoStore::new(client().await, table.clone())
            .create_table()
            .await
            .with_context(|| format!("creating the table {table}"))?;
        println!("Created the table {table}.");
        return Ok(());
    }

    let state = eclaireurs_function::state(settings).await?;
    let router = app(state.clone());
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
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
        state.store.describe()
    );
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("the server stopped")?;
    Ok(())
}
