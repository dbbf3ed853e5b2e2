//! `test`: connectivity, credentials and "is this a Prism Central", with a message that says
//! what to fix.

use nutanix_prism::error::TransportKind;

use super::target::Target;

/// What `test` found on success: a one-line description.
///
/// # Errors
/// An actionable message for each failure class (never containing a secret).
pub async fn run(target: &Target) -> anyhow::Result<String> {
    match target.client.verify().await {
        Ok(v) => Ok(format!(
            "OK: {} is a Prism Central (version {}, size {}), authenticated as {}",
            target.endpoint,
            v.prism_central.version().unwrap_or("unknown"),
            v.prism_central.pc_size().unwrap_or("unknown"),
            v.user
                .username()
                .or(v.user.display_name())
                .unwrap_or("unknown user"),
        )),
        Err(e) => Err(anyhow::anyhow!("{}", explain(target, &e))),
    }
}

/// The message of a failed `test`.
pub fn explain(target: &Target, e: &nutanix_prism::Error) -> String {
    let root = e.root();
    let endpoint = &target.endpoint;
    let advice = if e.is_unauthorized() {
        format!(
            "the credentials were rejected ({}); check the user name (--username or NUTANIX_USERNAME) and the password in the environment variable, or use --api-key-env VAR",
            target.credential_source
        )
    } else if e.is_forbidden() {
        format!(
            "the user ({}) is authenticated but lacks permissions; give it a role that can read inventory (e.g. Prism Viewer)",
            target.credential_source
        )
    } else if let nutanix_prism::Error::Transport(t) = root {
        match t.kind {
            TransportKind::Tls => "the TLS handshake failed; pass the Prism Central CA certificate with --ca-cert FILE (or, in a lab only, --insecure)".to_owned(),
            TransportKind::Connect => format!(
                "cannot connect to {endpoint}; check the address and port (9440 by default) and any firewall or proxy"
            ),
            _ => format!("the connection to {endpoint} broke; check the network path and retry"),
        }
    } else if e.is_timeout() {
        format!("{endpoint} did not answer in time; check that it is reachable and not overloaded")
    } else if matches!(root, nutanix_prism::Error::NotPrismCentral { .. }) {
        "this looks like a Prism Element (or another v3 endpoint), not a Prism Central; pass the Prism Central address".to_owned()
    } else {
        "unexpected answer".to_owned()
    };
    format!("cannot use Prism Central at {endpoint}: {advice}\n  cause: {e}")
}
