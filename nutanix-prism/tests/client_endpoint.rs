//! Endpoint parsing table through the public builder, and builder validation.

use nutanix_prism::PrismClient;

fn base(input: &str, allow_http: bool) -> Result<String, nutanix_prism::Error> {
    PrismClient::builder(input)
        .allow_http(allow_http)
        .build()
        .map(|c| c.base_url().to_string())
}

#[test]
fn accepted_endpoints_are_normalised() {
    let table = [
        (
            "pc.example.com",
            "https://pc.example.com:9440/api/nutanix/v3/",
        ),
        (
            "pc.example.com:9440",
            "https://pc.example.com:9440/api/nutanix/v3/",
        ),
        (
            "https://pc.example.com:9440/",
            "https://pc.example.com:9440/api/nutanix/v3/",
        ),
        (
            "https://pc.example.com:9440",
            "https://pc.example.com:9440/api/nutanix/v3/",
        ),
        (
            "https://pc/api/nutanix/v3",
            "https://pc:9440/api/nutanix/v3/",
        ),
        (
            "https://pc/api/nutanix/v3/",
            "https://pc:9440/api/nutanix/v3/",
        ),
        (
            "pc.example.com:8443",
            "https://pc.example.com:8443/api/nutanix/v3/",
        ),
        ("10.1.2.3", "https://10.1.2.3:9440/api/nutanix/v3/"),
        ("10.1.2.3:9440", "https://10.1.2.3:9440/api/nutanix/v3/"),
        (
            "[2001:db8::1]",
            "https://[2001:db8::1]:9440/api/nutanix/v3/",
        ),
        (
            "https://[2001:db8::1]:9440/",
            "https://[2001:db8::1]:9440/api/nutanix/v3/",
        ),
        (
            "  pc.example.com  ",
            "https://pc.example.com:9440/api/nutanix/v3/",
        ),
    ];
    for (input, want) in table {
        assert_eq!(base(input, false).unwrap(), want, "input `{input}`");
    }
}

#[test]
fn http_only_with_the_explicit_opt_in() {
    let err = base("http://127.0.0.1:8080", false).unwrap_err();
    assert!(err.is_config());
    assert!(err.to_string().contains("allow_http"), "{err}");
    assert_eq!(
        base("http://127.0.0.1:8080", true).unwrap(),
        "http://127.0.0.1:8080/api/nutanix/v3/"
    );
}

#[test]
fn rejected_endpoints_say_why() {
    let table = [
        ("", "empty"),
        ("   ", "empty"),
        ("https://pc/some/path", "path"),
        ("pc.example.com/prism", "path"),
        ("pc?x=1", "query"),
        ("https://pc#x", "fragment"),
        ("ftp://pc", "scheme"),
        ("https://user@pc", "credentials"),
        ("https://user:secret@pc", "credentials"),
        ("pc:notaport", "invalid"),
        ("pc:99999", "invalid"),
        ("https://", "invalid"),
    ];
    for (input, why) in table {
        let err = base(input, false).unwrap_err();
        assert!(err.is_config(), "`{input}`: {err:?}");
        let text = err.to_string();
        assert!(text.contains(why), "`{input}`: expected `{why}` in: {text}");
        assert!(!text.contains("secret"), "{text}");
    }
}

#[test]
fn builder_validates_options() {
    let b = || PrismClient::builder("pc.example.com");
    assert!(b().page_size(0).build().unwrap_err().is_config());
    assert!(b().list_concurrency(0).build().unwrap_err().is_config());
    assert!(b().max_response_bytes(0).build().unwrap_err().is_config());
    assert!(
        b().requests_per_second(Some(-1.0))
            .build()
            .unwrap_err()
            .is_config()
    );
    assert!(
        b().basic_auth("", "pw".to_owned())
            .build()
            .unwrap_err()
            .is_config()
    );
    assert!(
        b().basic_auth("a:b", "pw".to_owned())
            .build()
            .unwrap_err()
            .is_config()
    );
    // 0 and None both mean "no client-side rate limit".
    assert!(b().requests_per_second(Some(0.0)).build().is_ok());
    assert!(b().requests_per_second(None).build().is_ok());
}

#[test]
fn client_is_clone_and_debug_shows_settings() {
    let c = PrismClient::builder("pc.example.com")
        .basic_auth("admin", "s3cr3t-pw".to_owned())
        .build()
        .unwrap();
    let c2 = c.clone();
    assert_eq!(c.base_url(), c2.base_url());
    let dbg = format!("{c2:?}");
    assert!(
        dbg.contains("https://pc.example.com:9440/api/nutanix/v3/"),
        "{dbg}"
    );
    assert!(dbg.contains("requests_per_second: Some(20.0)"), "{dbg}");
    assert!(
        dbg.contains("[REDACTED]") && !dbg.contains("s3cr3t-pw"),
        "{dbg}"
    );
}
