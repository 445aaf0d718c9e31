//! `eclaireurs serve`: the site, rebuilt on every edit, and the submission API on one local
//! origin. Open pages reload by themselves after a good edit and show the problem after a
//! bad one; the server keeps running either way. Every answer carries the deployed site's
//! security headers (Content-Security-Policy and the others, read from `template.yaml`), the
//! server's own answers included (a head it cannot read, a request for another host: only
//! loopback names are answered, so a DNS-rebinding page reads nothing); a client that does
//! not send its request in time, or does not read its answers, is disconnected (as by
//! `eclaireurs-function --listen`); and each request gets one line on the standard output.

mod headers;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context;
use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use notify::{RecursiveMode, Watcher};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tower::ServiceExt;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use eclaireurs_function::catalog::Catalog;
use eclaireurs_function::config::{CatalogSource, Settings};
use eclaireurs_function::http::server::{self, Event, Refusal};
// The submission API of the last good build (its state and routes), as the function holds
// the API of its current catalog.
use eclaireurs_function::http::live::Api;
use eclaireurs_function::http::AppState;
use eclaireurs_model::Lang;

use crate::build;

/// The state of the last build, which open pages wait on.
#[derive(Debug, Clone, Serialize)]
struct Status {
    version: u64,
    /// The build's problems, one per line, when it failed.
    error: Option<String>,
    /// Whether the whole site was rebuilt (rather than a few pages).
    #[serde(skip)]
    full: bool,
}

#[derive(Clone)]
struct Live {
    status: watch::Receiver<Status>,
    out: PathBuf,
    /// The API, replaced after each good build so form definitions stay current.
    api: Arc<RwLock<Api>>,
}

/// Builds `content`, serves it on 127.0.0.1:`port`, and rebuilds on every change until
/// interrupted.
pub async fn serve(content: &Path, port: u16) -> anyhow::Result<()> {
    serve_with(content, port, server::Limits::default()).await
}

/// [`serve`], its clients held to `limits`.
pub async fn serve_with(content: &Path, port: u16, limits: server::Limits) -> anyhow::Result<()> {
    let workdir = tempfile::tempdir().context("cannot create a folder for the preview")?;
    let out = workdir.path().join("public");
    let content = content.to_path_buf();

    let (status_tx, status_rx) = watch::channel(Status {
        version: 0,
        error: None,
        full: false,
    });
    let mut preview = build::Preview::new(&content, &out, RELOAD_SCRIPT);
    let first = rebuild(&mut preview, &[], 1);
    report(&first);
    status_tx.send_replace(first);

    // The API validates with the catalog of the build it serves, as the deployed function
    // does with the catalog of its package.
    let mut settings = Settings::from_env().map_err(anyhow::Error::msg)?;
    settings.catalog = CatalogSource::File(out.join(build::CATALOG_FILE));
    // The preview's pages post straight to it: no distribution in front to send the secret.
    settings.origin_secret = None;
    let app_state = eclaireurs_function::state(settings)
        .await
        .context("cannot start the submission API")?;
    let store_description = app_state.store.describe();
    let api = Arc::new(RwLock::new(Api::new(app_state.clone())));
    let timeouts = api.clone();

    let live = Live {
        status: status_rx,
        out: out.clone(),
        api: api.clone(),
    };
    let mut router = Router::new()
        .route("/__livereload", get(wait_for_change))
        .route("/__livereload.js", get(reload_script))
        .nest_service(
            "/api",
            axum::routing::any(forward_to_api).with_state(live.clone()),
        )
        .fallback(static_file)
        .with_state(live);
    // As the distribution does (its policy's `Override: true`): the same headers on every
    // answer, pages and API alike, whatever the answer had.
    let security = headers::security_headers()?;
    for (name, value) in security.clone() {
        router = router.layer(SetResponseHeaderLayer::overriding(name, value));
    }

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{port} (try --port)"))?;
    let address = listener.local_addr().context("no local address")?;
    println!("Serving the site at http://{address}/ (French: /fr/, English: /en/).");
    println!("Forms post to http://{address}/api/; submissions go to the {store_description}.");
    println!(
        "Watching {} and the theme: pages in the browser reload by themselves. Stop with Ctrl+C.",
        content.display()
    );

    let watched = watched_folders(&content);
    let (changes_tx, mut changes_rx) = tokio::sync::mpsc::unbounded_channel::<Vec<PathBuf>>();
    // The pictures the builds make go there: what they are made from is watched.
    let cache = std::path::absolute(content.join(crate::media::cache::DIR))
        .unwrap_or_else(|_| content.join(crate::media::cache::DIR));
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            if !matches!(event.kind, notify::EventKind::Access(_)) {
                // An event without paths (a rescan) rebuilds everything, as before.
                let unnamed = event.paths.is_empty();
                let paths: Vec<PathBuf> = event
                    .paths
                    .into_iter()
                    .filter(|p| !p.starts_with(&cache))
                    .collect();
                if unnamed || !paths.is_empty() {
                    let _ = changes_tx.send(paths);
                }
            }
        }
    })
    .context("cannot watch the content folder")?;
    for folder in &watched {
        watcher
            .watch(folder, RecursiveMode::Recursive)
            .with_context(|| format!("cannot watch {}", folder.display()))?;
    }

    let rebuilder = {
        let out_for_api = out.clone();
        let preview = Arc::new(std::sync::Mutex::new(preview));
        tokio::spawn(async move {
            let mut version = 1;
            while let Some(first) = changes_rx.recv().await {
                // Editors save in several steps: wait for the burst to end.
                tokio::time::sleep(Duration::from_millis(120)).await;
                let mut changed = first;
                while let Ok(more) = changes_rx.try_recv() {
                    changed.extend(more);
                }
                changed.sort();
                changed.dedup();
                version += 1;
                let preview = preview.clone();
                let status = tokio::task::spawn_blocking(move || match preview.lock() {
                    Ok(mut preview) => rebuild(&mut preview, &changed, version),
                    Err(_) => Status {
                        version,
                        error: Some("the previous rebuild crashed; restart serve".into()),
                        full: false,
                    },
                })
                .await
                .unwrap_or_else(|e| Status {
                    version,
                    error: Some(format!("the build stopped: {e}")),
                    full: false,
                });
                report(&status);
                if status.error.is_none() && status.full {
                    refresh_api(&out_for_api, &app_state, &api);
                }
                status_tx.send_replace(status);
            }
        })
    };

    server::serve(
        listener,
        router,
        async {
            let _ = tokio::signal::ctrl_c().await;
        },
        Arc::new(|event: Event<'_>| {
            if let Some(line) = request_line(&event) {
                eclaireurs_function::console::line(line);
            }
        }),
        // In the words of the last good build's strings, as the API's other errors.
        Arc::new(move |refusal: Refusal, headers: &HeaderMap| {
            let mut response = match timeouts.read() {
                Ok(api) => refused(&api.state.catalog, refusal, headers),
                Err(_) => refusal.status().into_response(),
            };
            for (name, value) in &security {
                response.headers_mut().insert(name.clone(), value.clone());
            }
            response
        }),
        limits,
    )
    .await;
    rebuilder.abort();
    drop(watcher);
    Ok(())
}

/// What serve answers itself, outside the site and the API: a body too slow as the API
/// answers it (the request was the API's); a request for another host or one it could not
/// read, which may be anyone's, in both languages.
fn refused(catalog: &Catalog, refusal: Refusal, headers: &HeaderMap) -> Response {
    if refusal == Refusal::TooSlow {
        return server::answer_for(catalog, refusal, headers);
    }
    let key = format!("validation.{}", refusal.code());
    let text = format!(
        "{}\n{}\n",
        catalog.text(Lang::Fr, &key),
        catalog.text(Lang::En, &key)
    );
    (
        refusal.status(),
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response()
}

/// The content folder and the theme it names (which may live outside it).
fn watched_folders(content: &Path) -> Vec<PathBuf> {
    let content = content
        .canonicalize()
        .unwrap_or_else(|_| content.to_path_buf());
    let mut folders = vec![content.clone()];
    if let Ok(site) = eclaireurs_model::Site::load(&content, eclaireurs_model::LoadOptions::DATA) {
        // `content/../themes/default` is outside the content folder: compare real paths.
        let theme = site.theme.canonicalize().unwrap_or(site.theme);
        if !theme.starts_with(&content) {
            folders.push(theme);
        }
    }
    folders
}

/// Rebuilds what `changed` requires (everything when empty), the reload script in every page.
fn rebuild(preview: &mut build::Preview, changed: &[PathBuf], version: u64) -> Status {
    match preview.rebuild(changed) {
        Ok(build::Rebuilt::Site(_)) => Status {
            version,
            error: None,
            full: true,
        },
        Ok(build::Rebuilt::Pages(urls)) => {
            println!("Rebuilt {}.", urls.join(", "));
            Status {
                version,
                error: None,
                full: false,
            }
        }
        Err(err) => Status {
            version,
            error: Some(err.to_string()),
            full: false,
        },
    }
}

fn report(status: &Status) {
    match &status.error {
        None if status.version > 1 && status.full => println!("Rebuilt the site."),
        None => {}
        Some(error) => {
            eprintln!("The site could not be rebuilt; the last good version is still served:");
            for line in error.lines() {
                eprintln!("  error: {line}");
            }
        }
    }
}

/// Reads the new build's catalog so the API validates against what the pages show.
fn refresh_api(out: &Path, state: &Arc<AppState>, api: &Arc<RwLock<Api>>) {
    match Catalog::read(&out.join(build::CATALOG_FILE)) {
        Ok(catalog) => {
            let fresh = Arc::new(AppState {
                catalog,
                store: state.store.clone(),
                settings: state.settings.clone(),
            });
            if let Ok(mut api) = api.write() {
                *api = Api::new(fresh);
            }
        }
        Err(err) => eprintln!("The API keeps the previous form definitions: {err}"),
    }
}

async fn forward_to_api(State(live): State<Live>, request: Request) -> Response {
    let router = match live.api.read() {
        Ok(api) => api.router.clone(),
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    match router.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// What `serve` prints of a request: its method and address (never the query string, which
/// could carry what a person typed), its answer, and how long it took. The live-reload calls
/// of open pages (one every 25 s per tab) are left out.
fn request_line(event: &Event<'_>) -> Option<String> {
    match event {
        Event::Answered {
            method,
            path,
            status,
            elapsed,
        } => {
            if path.starts_with("/__livereload") {
                return None;
            }
            let path = match path.char_indices().nth(200) {
                Some((cut, _)) => format!("{}…", &path[..cut]),
                None => path.to_string(),
            };
            let reason = status.canonical_reason().unwrap_or("");
            let mut line = format!(
                "{method} {path} → {} {reason} in {} ms",
                status.as_u16(),
                elapsed.as_millis()
            );
            if *status == StatusCode::REQUEST_TIMEOUT {
                line.push_str(&format!(
                    ": the request's body did not arrive within {} s; disconnected",
                    server::BODY_TIMEOUT.as_secs()
                ));
            }
            line.push('.');
            Some(line)
        }
        Event::HeadersTooSlow => Some(format!(
            "A client did not send its request within {} s: disconnected.",
            server::HEADER_TIMEOUT.as_secs()
        )),
        Event::Unreadable { status } => Some(format!(
            "A client sent a request that is {} → {} {}; disconnected.",
            match *status {
                StatusCode::BAD_REQUEST => "not HTTP".to_string(),
                StatusCode::URI_TOO_LONG => "too long".to_string(),
                _ => format!("over {} KB", server::MAX_HEAD / 1024),
            },
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        )),
        Event::AnswersNotRead { after } => Some(format!(
            "A client did not read its answers for {} s: disconnected.",
            after.as_secs()
        )),
    }
}

/// `//fr` as the distribution takes it: the leading slashes are one (its address function
/// does the same), so the folder's redirect is `/fr/` and never a scheme-relative `//fr/`,
/// which a browser would read as another site. A request in absolute form
/// (`GET http://elsewhere/fr`) loses its host the same way.
fn on_this_site(mut request: Request) -> Request {
    let uri = request.uri();
    let mut fixed = format!("/{}", uri.path().trim_start_matches('/'));
    if let Some(query) = uri.query() {
        fixed.push('?');
        fixed.push_str(query);
    }
    if uri.authority().is_some() || fixed != uri.path_and_query().map_or("", |p| p.as_str()) {
        if let Ok(uri) = fixed.parse::<Uri>() {
            *request.uri_mut() = uri;
        }
    }
    request
}

async fn static_file(State(live): State<Live>, request: Request) -> Response {
    let request = on_this_site(request);
    let mut response = match ServeDir::new(&live.out).oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    // Redirects stay on this site, whatever the address asked for.
    let off_site = response
        .headers()
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .is_some_and(|l| !l.starts_with('/') || l.starts_with("//") || l.starts_with("/\\"));
    if off_site {
        response
            .headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static("/"));
    }
    if response.status() == StatusCode::METHOD_NOT_ALLOWED {
        // The pages are files: say so rather than answer with an empty body.
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [
                (header::ALLOW, "GET, HEAD"),
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            "Cette adresse est une page : elle se lit (GET), elle ne reçoit rien.\n\
             This address is a page: it is read (GET), it takes nothing.\n",
        )
            .into_response();
    }
    if response.status() != StatusCode::NOT_FOUND {
        // The preview changes with every edit: never cache it.
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
        return response;
    }
    match tokio::fs::read(live.out.join("404.html")).await {
        Ok(page) => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            page,
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(Deserialize)]
struct Since {
    version: Option<u64>,
}

/// Long poll: answers as soon as the build state differs from the version the page knows
/// (at once when it knows none), or after 25 s.
async fn wait_for_change(State(live): State<Live>, Query(since): Query<Since>) -> Response {
    let mut status = live.status.clone();
    let known = since.version;
    let changed = tokio::time::timeout(
        Duration::from_secs(25),
        status.wait_for(|s| Some(s.version) != known),
    )
    .await;
    let current = match changed {
        Ok(Ok(s)) => Some(s.clone()),
        _ => None,
    }
    .unwrap_or_else(|| live.status.borrow().clone());
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(current)).into_response()
}

async fn reload_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        RELOAD_JS,
    )
        .into_response()
}

/// What `serve` adds at the end of every page: its reload script, a file of the site's own
/// origin, so the pages' Content-Security-Policy (`script-src 'self'`, no inline script)
/// lets it run as it lets the site's own scripts.
const RELOAD_SCRIPT: &str =
    r#"<script src="/__livereload.js" data-eclaireurs-live-reload></script>"#;

/// The reload script. It asks which build is current, then waits for the next: it reloads
/// the page after a good build and shows the problems of a failed one, in the page, until the
/// next good build. (It carries no build number, so a page that was not rebuilt does not look
/// stale.) Its box is styled through the DOM, which the policy allows, not a style attribute.
const RELOAD_JS: &str = r#"(function () {
  var version = null;
  function show(error) {
    var box = document.getElementById("eclaireurs-build-error");
    if (!error) {
      if (box) box.parentNode.removeChild(box);
      return;
    }
    if (!box) {
      box = document.createElement("section");
      box.id = "eclaireurs-build-error";
      box.setAttribute("role", "alert");
      box.setAttribute("aria-label", "Build error");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:50vh;overflow:auto;margin:0;padding:1rem;background:#fdf1ef;color:#1c1d1f;border-top:4px solid #8a1c12;font:0.95rem/1.4 monospace;white-space:pre-wrap;z-index:1000";
      document.body.appendChild(box);
    }
    box.textContent = "The site could not be rebuilt; this page is the last good version.\n\n" + error;
  }
  function poll() {
    fetch("/__livereload" + (version === null ? "" : "?version=" + version), { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (version !== null && s.version !== version && !s.error) { location.reload(); return; }
        version = s.version;
        show(s.error);
        poll();
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
"#;
