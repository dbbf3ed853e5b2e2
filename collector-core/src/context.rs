//! [`PrismCentral`]: the identity of the Prism Central a collection runs against.

use serde::{Deserialize, Serialize};

/// Default Prism Central HTTPS port.
pub const DEFAULT_PORT: u16 = 9440;

/// Identity of one Prism Central: what `account` and `data.nutanix.prism_central` carry, and
/// the base of console links.
///
/// Built from the address the plugin was configured with (`pc.example.com`,
/// `10.0.0.5:9440`, `https://pc.example.com:9440/`); the console base URL is
/// `https://<host>:<port>/console/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PrismCentral {
    /// Host name or IP, without scheme, port or path (IPv6 in brackets).
    pub host: String,
    /// HTTPS port (default 9440).
    pub port: u16,
    /// Display name; defaults to the host. Used as CloudService `account`.
    pub name: String,
    /// UUID of the Prism Central (from `clusters/list` or `GET /prism_central`), if known.
    pub uuid: Option<String>,
}

impl PrismCentral {
    /// Parses a configured address. Scheme, path, query and user info are dropped; a missing
    /// port means 9440. An empty address gives an empty host (links are then omitted).
    pub fn new(address: &str) -> Self {
        let mut rest = address.trim();
        if let Some(idx) = rest.find("://") {
            rest = &rest[idx + 3..];
        }
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        rest = &rest[..end];
        if let Some(at) = rest.rfind('@') {
            rest = &rest[at + 1..];
        }
        let (host, port) = split_host_port(rest);
        Self {
            name: host.clone(),
            host,
            port: port.unwrap_or(DEFAULT_PORT),
            uuid: None,
        }
    }

    /// Sets the display name (ignored when empty).
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        if !name.trim().is_empty() {
            self.name = name;
        }
        self
    }

    /// Sets the Prism Central UUID (ignored when empty).
    #[must_use]
    pub fn with_uuid(mut self, uuid: impl Into<String>) -> Self {
        let uuid = uuid.into();
        if !uuid.trim().is_empty() {
            self.uuid = Some(uuid);
        }
        self
    }

    /// `https://<host>:<port>/console/`, or `None` when the host is empty.
    pub fn console_base(&self) -> Option<String> {
        (!self.host.is_empty()).then(|| format!("https://{}:{}/console/", self.host, self.port))
    }

    /// Console deep link to one entity.
    ///
    /// Format: `https://<pc>:9440/console/#page/explore/ebrowser/<plural>/?entity_type=<kind>&entity_id=<uuid>`
    /// (the entity-browser list page, as used by public Prism Central scripts, filtered to the
    /// entity). See `docs/mapping.md` for how this was chosen.
    pub fn entity_link(&self, plural: &str, kind: &str, uuid: &str) -> Option<String> {
        if uuid.is_empty() {
            return None;
        }
        if self.host.is_empty() {
            return None;
        }
        // one allocation, no formatting machinery: this runs for every record
        const PAGE: &str = "/console/#page/explore/ebrowser/";
        let mut link = String::with_capacity(
            "https://:65535".len()
                + self.host.len()
                + PAGE.len()
                + plural.len()
                + "/?entity_type=&entity_id=".len()
                + kind.len()
                + uuid.len(),
        );
        link.push_str("https://");
        link.push_str(&self.host);
        link.push(':');
        crate::text::push_uint(&mut link, u64::from(self.port));
        link.push_str(PAGE);
        link.push_str(plural);
        link.push_str("/?entity_type=");
        link.push_str(kind);
        link.push_str("&entity_id=");
        link.push_str(uuid);
        Some(link)
    }

    /// The account value of records: the display name.
    pub fn account(&self) -> Option<&str> {
        Some(self.name.as_str()).filter(|s| !s.is_empty())
    }
}

fn split_host_port(s: &str) -> (String, Option<u16>) {
    if let Some(stripped) = s.strip_prefix('[') {
        // [v6]:port
        if let Some(close) = stripped.find(']') {
            let host = format!("[{}]", &stripped[..close]);
            let port = stripped[close + 1..]
                .strip_prefix(':')
                .and_then(|p| p.parse().ok());
            return (host, port);
        }
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => match p.parse() {
            Ok(port) => (h.to_owned(), Some(port)),
            Err(_) => (s.to_owned(), None),
        },
        _ => (s.to_owned(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_normalised() {
        let cases = [
            ("pc.example.com", "pc.example.com", 9440),
            ("pc.example.com:9441", "pc.example.com", 9441),
            (
                "https://pc.example.com:9440/api/nutanix/v3",
                "pc.example.com",
                9440,
            ),
            ("https://admin@10.0.0.5/", "10.0.0.5", 9440),
            ("[fd00::1]:9440", "[fd00::1]", 9440),
            ("  10.0.0.5  ", "10.0.0.5", 9440),
        ];
        for (input, host, port) in cases {
            let pc = PrismCentral::new(input);
            assert_eq!((pc.host.as_str(), pc.port), (host, port), "{input}");
            assert_eq!(pc.name, host);
        }
    }

    #[test]
    fn links_and_names() {
        let pc = PrismCentral::new("pc")
            .with_name("Prod PC")
            .with_uuid("u")
            .with_name("");
        assert_eq!(pc.account(), Some("Prod PC"));
        assert_eq!(pc.uuid.as_deref(), Some("u"));
        assert_eq!(
            pc.entity_link("vms", "vm", "abc").as_deref(),
            Some(
                "https://pc:9440/console/#page/explore/ebrowser/vms/?entity_type=vm&entity_id=abc"
            )
        );
        assert_eq!(pc.entity_link("vms", "vm", ""), None);
        assert_eq!(PrismCentral::new("").console_base(), None);
    }
}
