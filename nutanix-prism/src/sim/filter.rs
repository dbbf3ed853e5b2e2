//! The subset of FIQL list filters the simulator understands.
//!
//! Grammar: `term (';' term)*` joined by `,` (OR binds looser than `;` AND, as in FIQL), where
//! `term = attribute ('==' | '!=') value`. A value containing `.*` is a wildcard pattern
//! (`vm_name==.*web.*`); otherwise it must match exactly. `power_state` compares without case.

/// One `attribute op value` comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Term {
    pub(crate) attribute: String,
    negate: bool,
    value: String,
}

/// A parsed filter: OR of ANDs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Filter {
    any_of: Vec<Vec<Term>>,
}

impl Filter {
    /// Parses a FIQL filter; an empty or blank filter matches everything.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Self::default());
        }
        let mut any_of = Vec::new();
        for group in text.split(',') {
            let mut all_of = Vec::new();
            for term in group.split(';') {
                let term = term.trim();
                let (attribute, negate, value) = if let Some((a, v)) = term.split_once("==") {
                    (a, false, v)
                } else if let Some((a, v)) = term.split_once("!=") {
                    (a, true, v)
                } else {
                    return Err(format!(
                        "unsupported filter term `{term}`: expected `attribute==value` or `attribute!=value`"
                    ));
                };
                let attribute = attribute.trim();
                if attribute.is_empty()
                    || !attribute
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                {
                    return Err(format!("invalid attribute name in filter term `{term}`"));
                }
                all_of.push(Term {
                    attribute: attribute.to_owned(),
                    negate,
                    value: value.trim().to_owned(),
                });
            }
            any_of.push(all_of);
        }
        Ok(Self { any_of })
    }

    /// Whether the filter has no terms.
    pub(crate) fn is_empty(&self) -> bool {
        self.any_of.is_empty()
    }

    /// Every term, for validating attribute names up front.
    pub(crate) fn terms(&self) -> impl Iterator<Item = &Term> {
        self.any_of.iter().flatten()
    }

    /// Evaluates the filter; `lookup` returns the entity's value for an attribute, or `None`
    /// when the entity has no such attribute (which never matches `==` and always matches `!=`).
    pub(crate) fn matches<'a>(&self, mut lookup: impl FnMut(&str) -> Option<&'a str>) -> bool {
        self.is_empty()
            || self.any_of.iter().any(|all| {
                all.iter().all(|t| {
                    let hit = lookup(&t.attribute)
                        .is_some_and(|v| value_matches(&t.attribute, &t.value, v));
                    hit != t.negate
                })
            })
    }
}

fn value_matches(attribute: &str, pattern: &str, value: &str) -> bool {
    if attribute == "power_state" {
        return pattern.eq_ignore_ascii_case(value);
    }
    if pattern.contains(".*") {
        wildcard(pattern, value)
    } else {
        pattern == value
    }
}

/// Matches `value` against a pattern where `.*` stands for any run of characters.
fn wildcard(pattern: &str, value: &str) -> bool {
    let parts: Vec<&str> = pattern.split(".*").collect();
    let (first, rest) = match parts.split_first() {
        Some(x) => x,
        None => return value.is_empty(),
    };
    let Some(mut remaining) = value.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return remaining.is_empty();
    };
    for part in middle {
        match remaining.find(part) {
            Some(i) => remaining = &remaining[i + part.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(filter: &str, name: &'static str, power: &'static str) -> bool {
        Filter::parse(filter).unwrap().matches(|a| match a {
            "vm_name" => Some(name),
            "power_state" => Some(power),
            _ => None,
        })
    }

    #[test]
    fn table() {
        let cases = [
            ("", true),
            ("vm_name==web-1", true),
            ("vm_name==web-2", false),
            ("vm_name!=web-2", true),
            ("power_state==on", true),
            ("power_state==off", false),
            ("vm_name==web-1;power_state==ON", true),
            ("vm_name==web-1;power_state==off", false),
            ("vm_name==x,power_state==on", true),
            ("vm_name==.*eb.*", true),
            ("vm_name==.*eb", false),
            ("vm_name==we.*", true),
            ("cluster_name==c", false),
            ("cluster_name!=c", true),
        ];
        for (filter, expected) in cases {
            assert_eq!(eval(filter, "web-1", "ON"), expected, "{filter}");
        }
    }

    #[test]
    fn rejects_garbage() {
        assert!(Filter::parse("vm_name").is_err());
        assert!(Filter::parse("=gt=3").is_err());
        assert!(Filter::parse("a b==c").is_err());
    }
}
