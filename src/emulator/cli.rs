//! Standalone emulator server (`dropbox-scim-bridge emulator --listen`): serves until Ctrl-C.

use std::net::SocketAddr;

use super::{Emulator, EmulatorConfig};

/// Serves an emulator on `listen` until Ctrl-C, printing credentials and a curl example to stdout.
pub async fn run_standalone(listen: SocketAddr, config: EmulatorConfig) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let emulator = Emulator::new(config.clone());
    let token = match &config.static_token {
        Some(t) => t.clone(),
        None => emulator.issue_token_all(),
    };
    let base = format!("http://{addr}");
    println!("Dropbox Team API emulator listening on {base}");
    println!("app key:        {}", config.app_key);
    println!("app secret:     {}", config.app_secret);
    println!("refresh token:  {}", config.refresh_token);
    println!("access token (non-expiring): {token}");
    println!(
        "try: curl -X POST {base}/2/team/members/list_v2 -H 'Authorization: Bearer {token}' \
         -H 'Content-Type: application/json' -d '{{\"limit\": 10}}'"
    );
    axum::serve(listener, emulator.router())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
