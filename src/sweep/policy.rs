//! The sweep policy file (TOML): which accounts to sweep, what to select there, and the
//! guards that hold whatever the selection says. [`parse`] reads and checks it whole;
//! nothing here reads a file or the environment (the caller hands over the text).
//!
//! Every table refuses keys it does not know, and every error names the file, the line and
//! the column (`policy.toml:12:1: …`). `fixtures/sweep/policy.example.toml` is a complete
//! example.
//!
//! # Keys
//!
//! `[selection]` — what to delete, the defaults for every target. Every key given must hold
//! (they combine with AND); a key left out does not restrict. At least one of
//! `expired_for`, `expires_before`, `domain` and `name` must apply to each target, so a
//! policy never selects every certificate by omission.
//!
//! - `expired_for = "7d"`: expired at least that long ago (its expiry is earlier than now
//!   minus the duration). A duration as `list --expires-before` takes one: a whole number
//!   and `w`, `d`, `h`, `m` or `s`. `"0s"` is `list --expired`.
//! - `expires_before = "30d"` (or `"2025-06-30"`, `"2025-06-30T00:00:00Z"`): expires before
//!   that instant, exactly as `list --expires-before`. A certificate whose expiry could not be
//!   read matches neither of these two.
//! - `domain = "*.example.com"` or a list of patterns: some domain of the certificate matches
//!   one of them, case-insensitively (the glob rules of `list --domain`: `*` any run of
//!   characters, `?` one character).
//! - `name = "prod-*"` or a list: the certificate's name matches one of them,
//!   case-sensitively (as `list --name`).
//! - `exclude_ids = ["id-1", …]`: these ids are kept (exact, case-sensitive).
//! - `exclude_domains = ["*.keep.example.com", …]`: a certificate any of whose domains
//!   matches one of these patterns is kept (case-insensitive, the same glob rules).
//!
//! `[guards]` — the defaults for every target.
//!
//! - `max_deletions = 200` (required, here or per target): the most certificates one run may
//!   delete in a target. When more would be deleted, that target is refused as a whole.
//!   `0` makes a target report what it would delete and delete nothing.
//! - `keep_latest_per_domains = true` (the default; `false` turns it off): never delete the
//!   certificate with the latest expiry among those covering the same set of domains, unless
//!   it has itself expired ([`crate::sweep::select`] has the exact rule).
//!
//! In-use certificates are always kept where the listing says so; that is no setting.
//!
//! `[[targets]]` — one per provider account, at least one.
//!
//! - `provider` (required): `huawei-scm`, `tencent-ssl`, `volcengine-live`, `alibaba-slb` or
//!   `alibaba-cas`.
//! - `name`: used in reports; letters, digits, `-`, `_` and `.`, at most 64; unique. Default:
//!   the provider and the target's position in the file (`alibaba-slb-2` for the second
//!   `[[targets]]`).
//! - `profile`: the official CLI's profile to take the credentials from (as `--profile`); left
//!   out, the provider's credential variables in the environment. huawei-scm takes none (its
//!   SDK file has no named profiles).
//! - `region`: alibaba-slb: required, a region, a list of them, or `"all"` (every public
//!   region; those the account lacks are skipped); tencent-ssl (`X-TC-Region`), huawei-scm
//!   (picks the host) and alibaba-cas (picks the site): one region; volcengine-live: none.
//! - `target`: alibaba-cas only, `"orders"` (the default) or `"certificates"` (as `--target`).
//! - `endpoint`: a base URL `scheme://host[:port]` to send the target's requests to (as
//!   `--endpoint`; plain http for loopback only).
//! - `expect_account` (required): the account id the credentials must belong to, checked
//!   before anything is listed; `"any"` turns the check off, and has to be written out.
//! - `[targets.selection]`, `[targets.guards]`: the keys of `[selection]` and `[guards]`;
//!   each key given here replaces the global one for this target (a list too: a target's
//!   `exclude_domains` replaces the global list rather than adding to it, so repeat the global
//!   patterns to keep them; `exclude_ids = []` clears the global list), and the keys it does
//!   not give keep the global values.

use crate::endpoint::Endpoint;
use crate::provider::config::CasTarget;
use crate::provider::Kind;
use crate::time::{self, When};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use std::ops::Range;
use toml::Spanned;

/// A checked policy: every target with its effective selection and guards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub targets: Vec<Target>,
}

/// One provider account to sweep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Unique within the policy (given, or `provider-N`).
    pub name: String,
    pub provider: Kind,
    /// The official CLI's profile; `None`: the environment.
    pub profile: Option<String>,
    pub region: Region,
    /// alibaba-cas: what to list and delete (orders unless the target says otherwise).
    pub cas_target: CasTarget,
    pub endpoint: Option<Endpoint>,
    pub expect_account: ExpectAccount,
    /// The global `[selection]` with this target's keys put over it.
    pub selection: Selection,
    /// The global `[guards]` with this target's keys put over it.
    pub guards: Guards,
}

/// Where a target's certificates are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Region {
    /// No region given (the provider's default host).
    Default,
    /// One region.
    One(String),
    /// alibaba-slb: these regions, in the file's order, without repeats.
    Many(Vec<String>),
    /// alibaba-slb: every public region.
    All,
}

/// Whose account a target's credentials must hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectAccount {
    /// `expect_account = "any"`: no check.
    Any,
    Id(String),
}

/// The effective selection of a target: every criterion given must hold. Empty pattern
/// lists and `None` do not restrict.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub expired_for: Option<chrono::Duration>,
    pub expires_before: Option<When>,
    /// Some domain matches one of these (case-insensitive globs).
    pub domain: Vec<String>,
    /// The name matches one of these (case-sensitive globs).
    pub name: Vec<String>,
    pub exclude_ids: Vec<String>,
    /// Kept when any domain matches one of these (case-insensitive globs).
    pub exclude_domains: Vec<String>,
}

impl Selection {
    /// Whether some criterion restricts what is selected (else it would be everything).
    pub fn restricts(&self) -> bool {
        self.expired_for.is_some()
            || self.expires_before.is_some()
            || !self.domain.is_empty()
            || !self.name.is_empty()
    }
}

/// The effective guards of a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Guards {
    pub max_deletions: u64,
    pub keep_latest_per_domains: bool,
}

/// A problem with the policy file: where and what.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct PolicyError {
    /// The file as the caller names it in messages.
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
}

impl From<PolicyError> for crate::error::Error {
    fn from(e: PolicyError) -> Self {
        crate::error::Error::Usage(e.to_string())
    }
}

/// `max_deletions` above this is surely a typo (and would not be "a sane number").
pub const MAX_DELETIONS_LIMIT: u64 = 1_000_000;

/// The longest target name.
pub const MAX_NAME: usize = 64;

/// Parse and check a policy; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Policy, PolicyError> {
    let fail = |span: Option<Range<usize>>, message: String| {
        let (line, column) = line_column(text, span.map_or(0, |s| s.start));
        PolicyError {
            file: file.to_string(),
            line,
            column,
            message,
        }
    };
    let raw: RawPolicy =
        toml::from_str(text).map_err(|e| fail(e.span(), e.message().to_string()))?;
    let checked = check(raw, text).map_err(|(span, message)| fail(span, message))?;
    Ok(checked)
}

/// The 1-based line and column (in characters) of byte `offset` of `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

// ---- the file as written ----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default)]
    selection: RawSelection,
    #[serde(default)]
    guards: RawGuards,
    #[serde(default)]
    targets: Option<Spanned<Vec<Spanned<RawTarget>>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSelection {
    expired_for: Option<Spanned<String>>,
    expires_before: Option<Spanned<String>>,
    domain: Option<Spanned<Strings>>,
    name: Option<Spanned<Strings>>,
    exclude_ids: Option<Spanned<Strings>>,
    exclude_domains: Option<Spanned<Strings>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGuards {
    max_deletions: Option<Spanned<i64>>,
    keep_latest_per_domains: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    name: Option<Spanned<String>>,
    provider: Option<Spanned<String>>,
    profile: Option<Spanned<String>>,
    region: Option<Spanned<Strings>>,
    target: Option<Spanned<String>>,
    endpoint: Option<Spanned<String>>,
    expect_account: Option<Spanned<String>>,
    #[serde(default)]
    selection: RawSelection,
    #[serde(default)]
    guards: RawGuards,
}

/// A string or a list of strings (a lone string is a list of one).
#[derive(Clone, Debug)]
struct Strings(Vec<String>);

impl<'de> Deserialize<'de> for Strings {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Strings;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Strings, E> {
                Ok(Strings(vec![s.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strings, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(Strings(out))
            }
        }
        d.deserialize_any(V)
    }
}

// ---- checking ----

type Problem = (Option<Range<usize>>, String);

fn problem<T>(span: Range<usize>, message: impl Into<String>) -> Result<T, Problem> {
    Err((Some(span), message.into()))
}

/// A selection's keys, checked, before the global ones are put under a target's.
#[derive(Clone, Debug, Default)]
struct PartialSelection {
    expired_for: Option<chrono::Duration>,
    expires_before: Option<When>,
    domain: Option<Vec<String>>,
    name: Option<Vec<String>>,
    exclude_ids: Option<Vec<String>>,
    exclude_domains: Option<Vec<String>>,
}

impl PartialSelection {
    /// These keys, and `under`'s where these have none.
    fn over(self, under: &PartialSelection) -> Selection {
        let under = under.clone();
        Selection {
            expired_for: self.expired_for.or(under.expired_for),
            expires_before: self.expires_before.or(under.expires_before),
            domain: self.domain.or(under.domain).unwrap_or_default(),
            name: self.name.or(under.name).unwrap_or_default(),
            exclude_ids: self.exclude_ids.or(under.exclude_ids).unwrap_or_default(),
            exclude_domains: self
                .exclude_domains
                .or(under.exclude_domains)
                .unwrap_or_default(),
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct PartialGuards {
    max_deletions: Option<u64>,
    keep_latest_per_domains: Option<bool>,
}

fn check(raw: RawPolicy, text: &str) -> Result<Policy, Problem> {
    let global = selection(&raw.selection, "selection")?;
    let global_guards = guards(&raw.guards, "guards")?;
    let Some(targets) = raw.targets else {
        return Err((
            None,
            "the policy has no [[targets]]: add one per provider account to sweep".into(),
        ));
    };
    if targets.get_ref().is_empty() {
        return problem(
            targets.span(),
            "targets is empty: add one [[targets]] per provider account to sweep",
        );
    }
    let mut out: Vec<Target> = Vec::new();
    // Where each name was given (for "used twice").
    let mut names: Vec<(String, Range<usize>)> = Vec::new();
    for (i, t) in targets.into_inner().into_iter().enumerate() {
        let span = t.span();
        let t = t.into_inner();
        let target = target(t, i, span.clone(), &global, global_guards)?;
        let name_span = target.1.unwrap_or(span);
        let target = target.0;
        if let Some((_, first)) = names.iter().find(|(n, _)| *n == target.name) {
            return problem(
                name_span,
                format!(
                    "target name \"{}\" is taken by an earlier target (line {}): every target needs its own name",
                    target.name,
                    line_column(text, first.start).0
                ),
            );
        }
        names.push((target.name.clone(), name_span));
        out.push(target);
    }
    Ok(Policy { targets: out })
}

/// One target; with where its name was given, when it was.
fn target(
    t: RawTarget,
    index: usize,
    span: Range<usize>,
    global: &PartialSelection,
    global_guards: PartialGuards,
) -> Result<(Target, Option<Range<usize>>), Problem> {
    let Some(provider) = t.provider else {
        return problem(
            span,
            format!(
                "target {} has no provider: add provider = one of {}",
                index + 1,
                provider_names()
            ),
        );
    };
    let kind = <Kind as clap::ValueEnum>::from_str(provider.get_ref(), false).or_else(|_| {
        problem(
            provider.span(),
            format!(
                "provider \"{}\" is not one certdel knows: give one of {}",
                provider.get_ref(),
                provider_names()
            ),
        )
    })?;

    let (name, name_span) = match &t.name {
        Some(n) => {
            check_name(n)?;
            (n.get_ref().clone(), Some(n.span()))
        }
        None => (format!("{}-{}", kind.name(), index + 1), None),
    };
    // Every later message names the target.
    let of = |what: &str| format!("target \"{name}\": {what}");

    let profile = match &t.profile {
        None => None,
        Some(p) if kind == Kind::HuaweiScm => {
            return problem(
                p.span(),
                of("huawei-scm takes no profile (the Huawei SDK credentials file has no named profiles): leave profile out to use the environment"),
            )
        }
        Some(p) => {
            let v = p.get_ref();
            if v.trim().is_empty() || v.chars().any(crate::output::is_unsafe) || v.trim() != v {
                return problem(
                    p.span(),
                    of("profile: give the name of a profile of the provider's official CLI, without spaces around it or control characters"),
                );
            }
            Some(v.clone())
        }
    };

    let region = region(kind, t.region.as_ref(), span.clone(), &of)?;

    let cas_target = match &t.target {
        None => CasTarget::Orders,
        Some(s) if kind != Kind::AlibabaCas => {
            return problem(s.span(), of("target applies to alibaba-cas only"))
        }
        Some(s) => match s.get_ref().as_str() {
            "orders" => CasTarget::Orders,
            "certificates" => CasTarget::Certificates,
            other => {
                return problem(
                    s.span(),
                    of(&format!(
                        "target \"{other}\": give \"orders\" (certificate orders) or \"certificates\" (issued or uploaded certificates)"
                    )),
                )
            }
        },
    };

    let endpoint = match &t.endpoint {
        None => None,
        Some(e) => Some(
            Endpoint::parse_as("endpoint", e.get_ref()).or_else(|m| problem(e.span(), of(&m)))?,
        ),
    };

    let expect_account = match &t.expect_account {
        None => {
            return problem(
                span,
                of("expect_account is missing: give the account id the credentials must belong to, or expect_account = \"any\" to skip the check"),
            )
        }
        Some(a) if a.get_ref() == "any" => ExpectAccount::Any,
        Some(a) => {
            let v = a.get_ref();
            if v.is_empty() || !v.chars().all(|c| c.is_ascii_graphic()) {
                return problem(
                    a.span(),
                    of("expect_account: give the account id (letters and digits, as the provider's console shows it) or \"any\""),
                );
            }
            ExpectAccount::Id(v.clone())
        }
    };

    let selection = self::selection(&t.selection, "targets.selection")?.over(global);
    if !selection.restricts() {
        return problem(
            span,
            of("the selection has none of expired_for, expires_before, domain and name, so it would select every certificate: give one in [selection] or [targets.selection]"),
        );
    }
    let own_guards = guards(&t.guards, "targets.guards")?;
    let Some(max_deletions) = own_guards.max_deletions.or(global_guards.max_deletions) else {
        return problem(
            span,
            of("max_deletions is missing: set it in [guards] or [targets.guards] to the most certificates one run may delete there"),
        );
    };
    let guards = Guards {
        max_deletions,
        keep_latest_per_domains: own_guards
            .keep_latest_per_domains
            .or(global_guards.keep_latest_per_domains)
            .unwrap_or(true),
    };

    Ok((
        Target {
            name,
            provider: kind,
            profile,
            region,
            cas_target,
            endpoint,
            expect_account,
            selection,
            guards,
        },
        name_span,
    ))
}

fn provider_names() -> String {
    Kind::ALL.map(Kind::name).join(", ")
}

fn check_name(n: &Spanned<String>) -> Result<(), Problem> {
    let v = n.get_ref();
    let ok = !v.is_empty()
        && v.len() <= MAX_NAME
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        problem(
            n.span(),
            format!(
                "target name \"{}\": use 1 to {MAX_NAME} letters, digits, '-', '_' or '.'",
                crate::output::escape(v)
            ),
        )
    }
}

fn region(
    kind: Kind,
    given: Option<&Spanned<Strings>>,
    target: Range<usize>,
    of: &dyn Fn(&str) -> String,
) -> Result<Region, Problem> {
    let Some(given) = given else {
        return match kind {
            Kind::AlibabaSlb => problem(
                target,
                of("alibaba-slb needs a region: region = \"cn-hangzhou\", a list of regions, or \"all\""),
            ),
            _ => Ok(Region::Default),
        };
    };
    let span = given.span();
    let regions = &given.get_ref().0;
    if kind == Kind::VolcengineLive {
        return problem(
            span,
            of("volcengine-live takes no region: leave region out"),
        );
    }
    if regions.is_empty() {
        return problem(
            span,
            of("region is an empty list: give one region (alibaba-slb: one or more, or \"all\")"),
        );
    }
    for r in regions {
        if !crate::provider::config::region_syntax_ok(r) {
            return problem(
                span,
                of(&format!(
                    "region \"{}\": a region id has only letters, digits, '-' and '_' (e.g. cn-hangzhou)",
                    crate::output::escape(r)
                )),
            );
        }
    }
    if kind != Kind::AlibabaSlb {
        if regions.len() > 1 {
            return problem(
                span,
                of(&format!(
                    "region lists {} regions: only alibaba-slb takes several; give one",
                    regions.len()
                )),
            );
        }
        if regions[0] == "all" {
            return problem(
                span,
                of("region \"all\" applies to alibaba-slb only; give one region"),
            );
        }
    }
    if regions.iter().any(|r| r == "all") {
        if regions.len() > 1 {
            return problem(
                span,
                of("region: give \"all\" alone (it already covers every region), or a list of regions"),
            );
        }
        return Ok(Region::All);
    }
    // The regions each provider knows, named in this file's terms (its keys, not flags).
    if let Some(valid) = crate::provider::valid_regions(kind) {
        if let Some(r) = regions.iter().find(|r| !valid.contains(&r.as_str())) {
            let other = match kind {
                Kind::HuaweiScm | Kind::AlibabaCas => ", or set endpoint for any other",
                _ => "",
            };
            let m = match kind {
                Kind::HuaweiScm => crate::provider::huawei_scm::unknown_region(r),
                _ => crate::provider::unknown_region(kind, r, None, &valid),
            };
            return problem(span.clone(), of(&format!("{m}; give one of those{other}")));
        }
    }
    if kind == Kind::AlibabaSlb {
        let mut unique: Vec<String> = Vec::new();
        for r in regions {
            if !unique.contains(r) {
                unique.push(r.clone());
            }
        }
        return Ok(if unique.len() == 1 {
            Region::One(unique.remove(0))
        } else {
            Region::Many(unique)
        });
    }
    Ok(Region::One(regions[0].clone()))
}

/// The keys of one `[selection]` table, checked; `table` names it in messages.
fn selection(raw: &RawSelection, table: &str) -> Result<PartialSelection, Problem> {
    let key = |k: &str| format!("{table}.{k}");
    let expired_for = match &raw.expired_for {
        None => None,
        Some(s) => {
            let k = key("expired_for");
            match time::duration(&k, s.get_ref()) {
                Some(Ok(d)) => Some(d),
                Some(Err(m)) => return problem(s.span(), m),
                None => {
                    return problem(
                        s.span(),
                        format!(
                            "{k} '{}': give a duration: a whole number and w, d, h, m or s (7d, 12h, 2w)",
                            s.get_ref()
                        ),
                    )
                }
            }
        }
    };
    let expires_before = match &raw.expires_before {
        None => None,
        Some(s) => Some(
            When::parse_as(&key("expires_before"), s.get_ref())
                .or_else(|m| problem(s.span(), m))?,
        ),
    };
    let include = |v: &Option<Spanned<Strings>>, k: &str| -> Result<Option<Vec<String>>, Problem> {
        let Some(v) = v else { return Ok(None) };
        let k = key(k);
        if v.get_ref().0.is_empty() {
            return problem(
                v.span(),
                format!("{k} is an empty list, which would match nothing: give a pattern, or leave {k} out"),
            );
        }
        patterns(v, &k).map(Some)
    };
    let exclude = |v: &Option<Spanned<Strings>>, k: &str| -> Result<Option<Vec<String>>, Problem> {
        let Some(v) = v else { return Ok(None) };
        patterns(v, &key(k)).map(Some)
    };
    Ok(PartialSelection {
        expired_for,
        expires_before,
        domain: include(&raw.domain, "domain")?,
        name: include(&raw.name, "name")?,
        exclude_ids: exclude(&raw.exclude_ids, "exclude_ids")?,
        exclude_domains: exclude(&raw.exclude_domains, "exclude_domains")?,
    })
}

/// Patterns (or ids): not blank, nothing a terminal acts on, no space around them.
fn patterns(v: &Spanned<Strings>, key: &str) -> Result<Vec<String>, Problem> {
    let mut out: Vec<String> = Vec::new();
    for p in &v.get_ref().0 {
        if p.trim().is_empty() {
            return problem(v.span(), format!("{key} holds an empty value: remove it"));
        }
        if p.trim() != p || p.chars().any(crate::output::is_unsafe) {
            return problem(
                v.span(),
                format!(
                    "{key} \"{}\": remove the whitespace around it and any control character",
                    crate::output::escape(p)
                ),
            );
        }
        if !out.contains(p) {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn guards(raw: &RawGuards, table: &str) -> Result<PartialGuards, Problem> {
    let max_deletions = match &raw.max_deletions {
        None => None,
        Some(n) => match u64::try_from(*n.get_ref()) {
            Ok(v) if v <= MAX_DELETIONS_LIMIT => Some(v),
            _ => {
                return problem(
                    n.span(),
                    format!(
                    "{table}.max_deletions {}: give a whole number from 0 to {MAX_DELETIONS_LIMIT}",
                    n.get_ref()
                ),
                )
            }
        },
    };
    Ok(PartialGuards {
        max_deletions,
        keep_latest_per_domains: raw.keep_latest_per_domains,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    const EXAMPLE: &str = include_str!("../../fixtures/sweep/policy.example.toml");

    fn ok(text: &str) -> Policy {
        parse(text, "p.toml").unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    fn err(text: &str) -> PolicyError {
        match parse(text, "p.toml") {
            Ok(p) => panic!("accepted: {p:?}\n{text}"),
            Err(e) => e,
        }
    }

    /// The error at (line, column) whose message contains every one of `words`.
    fn assert_err(text: &str, line: usize, column: usize, words: &[&str]) {
        let e = err(text);
        assert_eq!((e.line, e.column), (line, column), "{e}\n{text}");
        for w in words {
            assert!(e.message.contains(w), "{e} lacks {w:?}");
        }
        assert!(
            e.to_string()
                .starts_with(&format!("p.toml:{line}:{column}: ")),
            "{e}"
        );
    }

    /// A minimal valid target after `head`.
    fn with_target(head: &str, target: &str) -> String {
        format!("{head}\n[[targets]]\n{target}\n")
    }

    const BASE: &str = "[selection]\nexpired_for = \"7d\"\n[guards]\nmax_deletions = 10\n";

    #[test]
    fn the_example_file_reads_as_the_issue_says() {
        let p = ok(EXAMPLE);
        assert_eq!(p.targets.len(), 2);
        let tc = &p.targets[0];
        assert_eq!(tc.name, "tencent-prod");
        assert_eq!(tc.provider, Kind::TencentSsl);
        assert_eq!(tc.profile.as_deref(), Some("prod"));
        assert_eq!(tc.region, Region::Default);
        assert_eq!(tc.expect_account, ExpectAccount::Id("100012345678".into()));
        assert_eq!(
            tc.selection,
            Selection {
                expired_for: Some(Duration::days(7)),
                exclude_domains: vec!["*.keep.example.com".into()],
                ..Default::default()
            }
        );
        assert_eq!(
            tc.guards,
            Guards {
                max_deletions: 200,
                keep_latest_per_domains: true
            }
        );
        let slb = &p.targets[1];
        assert_eq!(
            (slb.name.as_str(), slb.provider),
            ("slb-all", Kind::AlibabaSlb)
        );
        assert_eq!(slb.region, Region::All);
        assert_eq!(slb.profile, None);
        // One key of each table replaced; the others kept.
        assert_eq!(slb.selection.domain, ["*.example.com"]);
        assert_eq!(slb.selection.expired_for, Some(Duration::days(7)));
        assert_eq!(slb.selection.exclude_domains, ["*.keep.example.com"]);
        assert_eq!(slb.guards.max_deletions, 20);
        assert!(slb.guards.keep_latest_per_domains);
    }

    #[test]
    fn every_key_commented_out_in_the_example_is_valid_too() {
        fn key(l: &str) -> Option<&str> {
            l.strip_prefix("# ").filter(|rest| {
                rest.starts_with("[[targets]]")
                    || rest.split_once(" = ").is_some_and(|(k, _)| {
                        k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                    })
            })
        }
        let mut uncommented = 0;
        let text: String = EXAMPLE
            .lines()
            .map(|l| match key(l) {
                Some(rest) => {
                    uncommented += 1;
                    format!("{rest}\n")
                }
                None => format!("{l}\n"),
            })
            .collect();
        assert_eq!(uncommented, 10, "{text}");
        let p = ok(&text);
        let s = &p.targets[0].selection;
        assert_eq!(s.expires_before, Some(When::In(Duration::days(30))));
        assert_eq!(s.domain, ["*.example.com"]);
        assert_eq!(s.name, ["ci-*"]);
        assert_eq!(s.exclude_ids, ["scs1554192131150"]);
        let cas = &p.targets[2];
        assert_eq!(cas.name, "alibaba-cas-3");
        assert_eq!(cas.cas_target, CasTarget::Certificates);
        assert_eq!(cas.region, Region::One("cn-hangzhou".into()));
        assert_eq!(cas.endpoint, Some(Endpoint::https("cas.aliyuncs.com")));
        assert_eq!(cas.expect_account, ExpectAccount::Any);
    }

    #[test]
    fn unknown_keys_are_refused_with_line_and_column() {
        assert_err(
            "[selection]\nexpired_for = \"7d\"\n  expird = 1\n",
            3,
            3,
            &["unknown field `expird`", "expired_for"],
        );
        assert_err("colour = 1\n", 1, 1, &["unknown field `colour`"]);
        assert_err(
            &with_target(
                BASE,
                "provider = \"tencent-ssl\"\nexpect_account = \"any\"\nregoin = \"x\"",
            ),
            9,
            1,
            &["unknown field `regoin`"],
        );
        assert_err(
            &with_target(
                BASE,
                "provider = \"tencent-ssl\"\nexpect_account = \"any\"\n[targets.guards]\nmax_deletion = 3",
            ),
            10,
            1,
            &["unknown field `max_deletion`", "max_deletions"],
        );
        // Not TOML at all; a value of the wrong type.
        assert_err("[selection\n", 1, 11, &[]);
        assert_err(
            "[guards]\nkeep_latest_per_domains = \"yes\"\n",
            2,
            27,
            &["bool"],
        );
        assert_err(
            "[selection]\ndomain = 5\n",
            2,
            10,
            &["a string or a list of strings"],
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("证书 = x", "证书 ".len()), (1, 4));
        assert_eq!(line_column("x", 99), (1, 2));
        // 证 is three bytes: the column is the 27th character, not the 29th byte.
        assert_err(
            "# 证书\nselection = { name = \"证\", oops = 1 }\n",
            2,
            27,
            &["unknown field `oops`"],
        );
    }

    #[test]
    fn targets_are_required_and_checked() {
        assert_err(BASE, 1, 1, &["no [[targets]]"]);
        assert_err(
            &format!("targets = []\n{BASE}"),
            1,
            11,
            &["targets is empty"],
        );
        assert_err(
            &with_target(BASE, "expect_account = \"any\""),
            6,
            1,
            &["no provider", "tencent-ssl"],
        );
        assert_err(
            &with_target(BASE, "provider = \"tencent\"\nexpect_account = \"any\""),
            7,
            12,
            &[
                "provider \"tencent\"",
                "huawei-scm, tencent-ssl, volcengine-live, alibaba-slb, alibaba-cas",
            ],
        );
        // expect_account: required, "any" only when written out.
        assert_err(
            &with_target(BASE, "name = \"t\"\nprovider = \"tencent-ssl\""),
            6,
            1,
            &["target \"t\"", "expect_account is missing", "\"any\""],
        );
        assert_err(
            &with_target(BASE, "provider = \"tencent-ssl\"\nexpect_account = \"\""),
            8,
            18,
            &["expect_account"],
        );
        let p = ok(&with_target(
            BASE,
            "provider = \"tencent-ssl\"\nexpect_account = \"any\"",
        ));
        assert_eq!(p.targets[0].expect_account, ExpectAccount::Any);
        assert_eq!(p.targets[0].name, "tencent-ssl-1");
    }

    #[test]
    fn every_provider_name_is_taken() {
        for kind in Kind::ALL {
            let region = if kind == Kind::AlibabaSlb {
                "region = \"cn-hangzhou\"\n"
            } else {
                ""
            };
            let p = ok(&with_target(
                BASE,
                &format!(
                    "provider = \"{}\"\n{region}expect_account = \"1\"",
                    kind.name()
                ),
            ));
            assert_eq!(p.targets[0].provider, kind);
        }
    }

    #[test]
    fn names_default_to_provider_and_position_and_must_be_unique() {
        let t = |extra: &str| {
            format!("[[targets]]\nprovider = \"tencent-ssl\"\nexpect_account = \"any\"\n{extra}")
        };
        let p = ok(&format!(
            "{BASE}{}{}{}",
            t(""),
            t("name = \"mine\"\n"),
            t("")
        ));
        let names: Vec<&str> = p.targets.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["tencent-ssl-1", "mine", "tencent-ssl-3"]);
        assert_err(
            &format!("{BASE}{}{}", t("name = \"a\"\n"), t("name = \"a\"\n")),
            12,
            8,
            &["\"a\" is taken by an earlier target (line 8)"],
        );
        // A given name that is another target's default name.
        assert_err(
            &format!("{BASE}{}{}", t(""), t("name = \"tencent-ssl-1\"\n")),
            11,
            8,
            &["\"tencent-ssl-1\" is taken"],
        );
        for bad in ["", "has space", "x/y", &"n".repeat(MAX_NAME + 1)] {
            assert_err(
                &format!("{BASE}{}", t(&format!("name = \"{bad}\"\n"))),
                8,
                8,
                &["target name", "letters, digits"],
            );
        }
        ok(&format!(
            "{BASE}{}",
            t(&format!("name = \"{}\"\n", "n".repeat(MAX_NAME)))
        ));
    }

    #[test]
    fn regions_only_where_the_provider_takes_them() {
        let t = |provider: &str, region: &str| {
            with_target(
                BASE,
                &format!("provider = \"{provider}\"\nexpect_account = \"any\"\nregion = {region}"),
            )
        };
        let region =
            |provider: &str, region: &str| ok(&t(provider, region)).targets[0].region.clone();
        assert_eq!(
            region("alibaba-slb", "\"cn-hangzhou\""),
            Region::One("cn-hangzhou".into())
        );
        assert_eq!(
            region(
                "alibaba-slb",
                "[\"cn-hangzhou\", \"cn-beijing\", \"cn-hangzhou\"]"
            ),
            Region::Many(vec!["cn-hangzhou".into(), "cn-beijing".into()])
        );
        assert_eq!(region("alibaba-slb", "\"all\""), Region::All);
        assert_eq!(region("alibaba-slb", "[\"all\"]"), Region::All);
        assert_eq!(
            region("tencent-ssl", "\"ap-guangzhou\""),
            Region::One("ap-guangzhou".into())
        );
        assert_eq!(
            region("huawei-scm", "\"ap-southeast-1\""),
            Region::One("ap-southeast-1".into())
        );
        assert_eq!(
            region("alibaba-cas", "\"ap-southeast-1\""),
            Region::One("ap-southeast-1".into())
        );

        #[rustfmt::skip]
        let bad: &[(&str, &str, &[&str])] = &[
            ("volcengine-live", "\"cn-north-1\"", &["volcengine-live takes no region"]),
            ("tencent-ssl", "[\"ap-guangzhou\", \"ap-beijing\"]", &["2 regions", "only alibaba-slb"]),
            ("tencent-ssl", "\"all\"", &["applies to alibaba-slb only"]),
            ("tencent-ssl", "\"ap-nowhere\"", &["unknown region ap-nowhere for tencent-ssl", "valid:"]),
            ("alibaba-slb", "\"cn-hangzhuo\"", &["unknown region cn-hangzhuo for alibaba-slb"]),
            ("alibaba-slb", "[\"all\", \"cn-hangzhou\"]", &["\"all\" alone"]),
            ("alibaba-slb", "[]", &["empty list"]),
            ("alibaba-slb", "\"cn hangzhou\"", &["letters, digits"]),
            ("huawei-scm", "\"cn-south-1\"", &["unknown huawei-scm region 'cn-south-1'", "set endpoint"]),
            ("alibaba-cas", "\"us-west-1\"", &["alibaba-cas", "give one of those"]),
        ];
        for (provider, value, words) in bad {
            assert_err(&t(provider, value), 9, 10, words);
            // The policy's keys, never the command line's flags.
            let e = err(&t(provider, value));
            assert!(!e.message.contains("--"), "{e}");
        }
        // alibaba-slb needs one: pointed at the target.
        assert_err(
            &with_target(BASE, "provider = \"alibaba-slb\"\nexpect_account = \"any\""),
            6,
            1,
            &["alibaba-slb needs a region", "\"all\""],
        );
    }

    #[test]
    fn cas_target_profile_and_endpoint() {
        let t = |provider: &str, extra: &str| {
            with_target(
                BASE,
                &format!("provider = \"{provider}\"\nexpect_account = \"any\"\n{extra}"),
            )
        };
        assert_eq!(
            ok(&t("alibaba-cas", "")).targets[0].cas_target,
            CasTarget::Orders
        );
        assert_eq!(
            ok(&t("alibaba-cas", "target = \"orders\"")).targets[0].cas_target,
            CasTarget::Orders
        );
        assert_err(
            &t("alibaba-cas", "target = \"certs\""),
            9,
            10,
            &["\"orders\"", "\"certificates\""],
        );
        assert_err(
            &t("tencent-ssl", "target = \"orders\""),
            9,
            10,
            &["alibaba-cas only"],
        );

        assert_err(
            &t("huawei-scm", "profile = \"p\""),
            9,
            11,
            &["huawei-scm takes no profile"],
        );
        assert_err(&t("tencent-ssl", "profile = \" \""), 9, 11, &["profile"]);
        assert_eq!(
            ok(&t("volcengine-live", "profile = \"ci\"")).targets[0]
                .profile
                .as_deref(),
            Some("ci")
        );

        let p = ok(&t("tencent-ssl", "endpoint = \"http://127.0.0.1:8080\""));
        assert_eq!(
            p.targets[0]
                .endpoint
                .as_ref()
                .map(Endpoint::base_url)
                .as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_err(
            &t("tencent-ssl", "endpoint = \"http://example.com\""),
            9,
            12,
            &["endpoint 'http://example.com'", "loopback"],
        );
        assert_err(
            &t("tencent-ssl", "endpoint = \"ssl.example.com\""),
            9,
            12,
            &["endpoint", "scheme://host"],
        );
    }

    #[test]
    fn selection_values_use_the_list_parsers() {
        let sel = |body: &str| {
            format!("[selection]\n{body}\n[guards]\nmax_deletions = 1\n[[targets]]\nprovider = \"tencent-ssl\"\nexpect_account = \"any\"\n")
        };
        let s = |body: &str| ok(&sel(body)).targets[0].selection.clone();
        assert_eq!(
            s("expired_for = \"2w\"").expired_for,
            Some(Duration::weeks(2))
        );
        assert_eq!(
            s("expires_before = \"30d\"").expires_before,
            Some(When::In(Duration::days(30)))
        );
        assert_eq!(
            s("expires_before = \"2025-06-30\"").expires_before,
            Some(When::parse("2025-06-30T00:00:00Z").unwrap())
        );
        assert_eq!(s("domain = \"*.a.com\"").domain, ["*.a.com"]);
        assert_eq!(s("name = [\"a*\", \"b?\", \"a*\"]").name, ["a*", "b?"]);
        assert_eq!(
            s("domain = \"x\"\nexclude_ids = \"id-1\"").exclude_ids,
            ["id-1"]
        );

        #[rustfmt::skip]
        let bad: &[(&str, usize, &[&str])] = &[
            ("expired_for = \"7\"", 15, &["selection.expired_for '7'", "whole number"]),
            ("expired_for = \"2025-01-01\"", 15, &["selection.expired_for"]),
            ("expired_for = \"36526d\"", 15, &["selection.expired_for", "100 years"]),
            ("expires_before = \"soon\"", 18, &["selection.expires_before 'soon'", "RFC 3339"]),
            ("domain = []", 10, &["selection.domain is an empty list"]),
            ("name = [\"\"]", 8, &["selection.name holds an empty value"]),
            ("exclude_domains = [\" a.com\"]", 19, &["whitespace"]),
            ("exclude_ids = [\"a\\u001bb\"]", 15, &["control character", "a\\u{1b}b"]),
        ];
        for (body, column, words) in bad {
            assert_err(&sel(body), 2, *column, words);
        }
        // Nothing that restricts: refused, pointed at the target.
        let none = "[guards]\nmax_deletions = 1\n[selection]\nexclude_ids = [\"x\"]\n[[targets]]\nprovider = \"tencent-ssl\"\nexpect_account = \"any\"\n";
        assert_err(none, 5, 1, &["would select every certificate"]);
    }

    #[test]
    fn guards_are_checked_and_defaulted() {
        let g = |guards: &str, own: &str| {
            format!("[selection]\nexpired_for = \"1d\"\n[guards]\n{guards}\n[[targets]]\nprovider = \"tencent-ssl\"\nexpect_account = \"any\"\n[targets.guards]\n{own}\n")
        };
        let p = ok(&g("max_deletions = 0", ""));
        assert_eq!(
            p.targets[0].guards,
            Guards {
                max_deletions: 0,
                keep_latest_per_domains: true
            }
        );
        assert!(
            !ok(&g("max_deletions = 3\nkeep_latest_per_domains = false", "")).targets[0]
                .guards
                .keep_latest_per_domains
        );
        assert_err(&g("", ""), 5, 1, &["max_deletions is missing"]);
        assert_err(
            &g("max_deletions = -1", ""),
            4,
            17,
            &["guards.max_deletions -1", "0 to 1000000"],
        );
        assert_err(
            &g("", "max_deletions = 1000001"),
            9,
            17,
            &["targets.guards.max_deletions 1000001"],
        );
        assert_err(
            &g("max_deletions = 1.5", ""),
            4,
            17,
            &["floating point `1.5`"],
        );
    }

    #[test]
    fn a_target_overrides_one_key_and_keeps_the_others() {
        let text = r#"
[selection]
expired_for = "7d"
domain = ["*.example.com"]
name = "ci-*"
exclude_ids = ["g-1"]
exclude_domains = ["*.keep.example.com"]

[guards]
max_deletions = 50
keep_latest_per_domains = false

[[targets]]
provider = "tencent-ssl"
expect_account = "any"
[targets.selection]
expired_for = "30d"
[targets.guards]
keep_latest_per_domains = true

[[targets]]
provider = "tencent-ssl"
expect_account = "any"
[targets.selection]
exclude_ids = []
expires_before = "2025-01-01"
[targets.guards]
max_deletions = 5

[[targets]]
provider = "tencent-ssl"
expect_account = "any"
"#;
        let p = ok(text);
        let global = Selection {
            expired_for: Some(Duration::days(7)),
            expires_before: None,
            domain: vec!["*.example.com".into()],
            name: vec!["ci-*".into()],
            exclude_ids: vec!["g-1".into()],
            exclude_domains: vec!["*.keep.example.com".into()],
        };
        assert_eq!(
            p.targets[0].selection,
            Selection {
                expired_for: Some(Duration::days(30)),
                ..global.clone()
            }
        );
        assert_eq!(
            p.targets[0].guards,
            Guards {
                max_deletions: 50,
                keep_latest_per_domains: true
            }
        );
        assert_eq!(
            p.targets[1].selection,
            Selection {
                exclude_ids: vec![],
                expires_before: Some(When::parse("2025-01-01").unwrap()),
                ..global.clone()
            }
        );
        assert_eq!(
            p.targets[1].guards,
            Guards {
                max_deletions: 5,
                keep_latest_per_domains: false
            }
        );
        assert_eq!(p.targets[2].selection, global);
        // A bad global key is reported even when every target replaces it.
        let bad = text.replace("expired_for = \"7d\"", "expired_for = \"7 days\"");
        assert_err(&bad, 3, 15, &["selection.expired_for '7 days'"]);
        // And a target's own bad key names its table.
        let bad = text.replace("expired_for = \"30d\"", "expired_for = \"30\"");
        assert_err(&bad, 17, 15, &["targets.selection.expired_for '30'"]);
    }

    #[test]
    fn errors_become_usage_errors() {
        let e: crate::error::Error = err("x = 1").into();
        assert!(
            matches!(&e, crate::error::Error::Usage(m) if m.starts_with("p.toml:1:1: ")),
            "{e}"
        );
    }
}
