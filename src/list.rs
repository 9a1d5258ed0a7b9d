//! The list driver: every page of every query the provider plans, then dedupe, filter and
//! sort into a [`Listing`]. It prints nothing; the caller renders the listing
//! ([`crate::output::Reporter::list`]) and its warnings.
//!
//! 1. The clock is read once; filters get that `now` ([`crate::cert::FilterSpec::resolve`]).
//! 2. The provider plans its queries ([`crate::provider::Provider::list_plan`]); the first
//!    page of each is fetched. When a page reports the query's total, the remaining pages
//!    are known ([`remaining_pages`]) and fetched concurrently — all through the session's
//!    one [`Sender`] ([`crate::session::Session`], the setup `delete` uses too), so the rate
//!    limit, throttling backoff, retries and the deadline work as they do for deletes.
//!    Without a total, pages are walked one after another until a short page.
//! 3. Any page that cannot be fetched fails the whole listing (exit 2, "listing incomplete:
//!    …"): a partial list is never printed as if it were complete. So does a page before the
//!    last that comes back short while records are missing: the server is not paging the way
//!    certdel asks (a clamped page size, an offset it stops honouring). The records seen per
//!    query are checked against the reported total; any other difference (certificates
//!    added or removed while listing) is a warning on stderr.
//! 4. Records are deduplicated by id (queries may overlap), filtered on the client (always,
//!    even where part of the filter went to the server) and sorted soonest expiry first.

use crate::cert::{Cert, Filter, FilterSpec};
use crate::error::Error;
use crate::progress::Pages;
use crate::provider::{ListQuery, Page, Provider};
use crate::send::{End, Sender};
use crate::session::Session;
use chrono::{DateTime, Utc};
use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::ops::Range;
use std::sync::Arc;
use tokio::task::JoinSet;

/// A complete listing: what `list` prints. A listing that could not be completed is never a
/// `Listing` but an [`Error`] ("listing incomplete: …"), so a partial list cannot be printed
/// as if it were whole.
#[derive(Debug)]
pub struct Listing {
    /// Deduplicated, filtered, soonest expiry first.
    pub certs: Vec<Cert>,
    /// What the operator should know about a listing that is nevertheless complete (each
    /// starts with the provider and its query's label): a server total that disagrees with
    /// the records seen, a region skipped under `--region all`, paging that looped.
    pub warnings: Vec<String>,
    /// Queries skipped as allowed (`--region all`: a region the account does not have), by
    /// label; each also has a warning.
    pub skipped: Vec<String>,
    /// The regions the listing covered, in query order (alibaba-slb: every region walked and
    /// not skipped); empty when the provider's queries name none.
    pub regions: Vec<String>,
    /// The one reading of the clock the filters and "days left" use.
    pub now: DateTime<Utc>,
}

/// Walk every page of every query `spec` needs, through the session's sender; `on_page` is
/// told after each page how far the walk is (the progress bar).
pub async fn list(
    session: &Session,
    spec: &FilterSpec,
    on_page: &(dyn Fn(Pages) + Sync),
) -> Result<Listing, Error> {
    // The one reading of the clock for filtering and "days left".
    let now = Utc::now();
    let filter = spec.resolve(now);
    let provider = session.provider();
    let sender = session.sender();
    let plan = provider.list_plan(&filter);
    let page_size = provider.list_page_size();
    let name = provider.kind().name();
    let plan = match (provider.list_paging_probe(), page_size) {
        (true, Some(size)) => probe_paging(provider, sender, plan, size).await?,
        _ => plan,
    };

    let fetcher = session.clone();
    let queries = Arc::new(plan.clone());
    let fetch = move |q: usize, page: u32| {
        let session = fetcher.clone();
        let queries = Arc::clone(&queries);
        async move { fetch_page(session.provider(), session.sender(), &queries[q], page).await }
    };
    let walked = walk_observed(plan.len(), page_size, session.concurrency(), fetch, on_page).await;
    let walked = match walked {
        Ok(w) => w,
        Err(failed) => {
            let at = format!(
                "listing incomplete: {} page {}",
                plan[failed.query].label,
                failed.page + 1
            );
            // Rejected credentials or an unreachable endpoint say more than the page did;
            // the message still names the query (for SLB, the region) that was not listed.
            return Err(match sender.take_stop() {
                Some(Error::Unreachable {
                    provider,
                    action,
                    message,
                }) => Error::Unreachable {
                    provider,
                    action,
                    message: format!("{at}: {message}"),
                },
                Some(Error::Rejected {
                    provider,
                    action,
                    message,
                }) => Error::Rejected {
                    provider,
                    action,
                    message: format!("{at}: {message}"),
                },
                Some(other) => other,
                None => Error::Rejected {
                    provider: name,
                    action: "list",
                    message: format!("{at}: {}", failed.why),
                },
            });
        }
    };
    // Each warning starts with its query's label, which names the action.
    let warnings = walked
        .warnings(&plan)
        .into_iter()
        .map(|w| format!("{name}: {w}"))
        .collect();
    let skipped = plan
        .iter()
        .zip(&walked.skipped)
        .filter(|(_, why)| why.is_some())
        .map(|(q, _)| q.label.clone())
        .collect();
    let mut regions: Vec<String> = Vec::new();
    for (q, why) in plan.iter().zip(&walked.skipped) {
        match &q.region {
            Some(r) if why.is_none() && !regions.contains(r) => regions.push(r.clone()),
            _ => {}
        }
    }
    let certs = select(walked.into_certs(), &filter);
    Ok(Listing {
        certs,
        warnings,
        skipped,
        regions,
        now,
    })
}

/// Find out, per query, whether the server reads the paging parameter as a record offset or
/// as a page index (huawei-scm `offset`). Page 0 is the same under both; `offset=1` (page 1
/// under the page-index reading) returns the records from the second one on under the
/// record reading — the first page shifted by one — and the second page, disjoint from the
/// first, under the page-index reading. Anything else, or a failed request, ends the listing
/// as incomplete: walking with the wrong reading would silently skip or repeat records.
async fn probe_paging(
    provider: &dyn Provider,
    sender: &Sender,
    mut plan: Vec<ListQuery>,
    size: u32,
) -> Result<Vec<ListQuery>, Error> {
    let name = provider.kind().name();
    for query in &mut plan {
        let incomplete = |page: &str, why: String| Error::Rejected {
            provider: name,
            action: "list",
            message: format!("listing incomplete: {} {page}: {why}", query.label),
        };
        let fetch =
            |q: ListQuery, page: u32| async move { fetch_page(provider, sender, &q, page).await };
        let first = match fetch(query.clone(), 0).await {
            Ok(page) => page,
            Err(why) => {
                return Err(sender
                    .take_stop()
                    .unwrap_or_else(|| incomplete("page 1", why)))
            }
        };
        let total = first.total.unwrap_or(first.certs.len() as u64);
        if total <= u64::from(size) || first.certs.len() < 2 {
            continue; // one page holds everything: the reading does not matter
        }
        let mut as_page = query.clone();
        as_page.offset_is_page = true;
        let probe = match fetch(as_page, 1).await {
            Ok(page) => page,
            Err(why) => {
                return Err(sender
                    .take_stop()
                    .unwrap_or_else(|| incomplete("paging probe (offset 1)", why)))
            }
        };
        let first_ids: HashSet<&str> = first.certs.iter().map(|c| c.id.as_str()).collect();
        let shifted =
            probe.certs.first().map(|c| c.id.as_str()) == Some(first.certs[1].id.as_str());
        let disjoint = !probe.certs.is_empty()
            && probe
                .certs
                .iter()
                .all(|c| !first_ids.contains(c.id.as_str()));
        match (shifted, disjoint) {
            (true, _) => query.offset_is_page = false,
            (false, true) => query.offset_is_page = true,
            (false, false) => {
                return Err(incomplete("paging probe (offset 1)", format!(
                    "cannot tell whether the server reads the paging offset as a record offset or a page index ({} of {total} records came back for offset 1)",
                    probe.certs.len()
                )))
            }
        }
    }
    Ok(plan)
}

/// One page of one query through the run's retry loop; the failure in one line otherwise.
async fn fetch_page(
    provider: &dyn Provider,
    sender: &Sender,
    query: &ListQuery,
    page: u32,
) -> Result<Page, String> {
    let tried = sender
        .exchange(
            provider.kind().name(),
            provider.list_action(),
            None,
            |stamp| provider.list_request(query, page, stamp),
            |reply| provider.list_answer(query, reply),
        )
        .await;
    let failure = tried.failure();
    match tried.end {
        End::Ok(page) => Ok(page),
        _ => Err(failure.unwrap_or_default()),
    }
}

/// The pages still to fetch once page 0 reported `total` records (0-based page numbers).
pub fn remaining_pages(total: u64, page_size: u32) -> Range<u32> {
    let size = u64::from(page_size.max(1));
    let pages = total.div_ceil(size).min(u64::from(u32::MAX)) as u32;
    1..pages.max(1)
}

/// Why a listing stopped.
#[derive(Debug, PartialEq, Eq)]
pub struct PageFailed {
    pub query: usize,
    pub page: u32,
    pub why: String,
}

/// Every page fetched, per query.
#[derive(Debug, Default)]
pub struct Walked {
    /// `(query, page, page contents)` in the order they arrived.
    pub pages: Vec<(usize, u32, Page)>,
    /// Per query: the total the server reported, if any.
    pub totals: Vec<Option<u64>>,
    /// Per query: records received.
    pub seen: Vec<u64>,
    /// Per query: why it was skipped (`--region all`), if it was.
    pub skipped: Vec<Option<String>>,
    /// Per query: paging stopped because a page repeated earlier records.
    pub looped: Vec<bool>,
}

impl Walked {
    fn new(queries: usize) -> Walked {
        Walked {
            pages: Vec::new(),
            totals: vec![None; queries],
            seen: vec![0; queries],
            skipped: vec![None; queries],
            looped: vec![false; queries],
        }
    }

    /// What to tell the operator on stderr.
    pub fn warnings(&self, plan: &[ListQuery]) -> Vec<String> {
        let mut out = Vec::new();
        for (q, _, page) in &self.pages {
            for w in &page.warnings {
                out.push(format!("{}: {w}", plan[*q].label));
            }
        }
        for (q, query) in plan.iter().enumerate() {
            if let Some(why) = &self.skipped[q] {
                out.push(format!("{}: skipped ({why})", query.label));
                continue;
            }
            if self.looped[q] {
                out.push(format!(
                    "{}: the server repeated earlier records instead of the next page; stopped paging there",
                    query.label
                ));
            }
            if let Some(total) = self.totals[q] {
                if total != self.seen[q] {
                    out.push(format!(
                        "{}: the server reported {total} certificates but {} came back; the set may have changed while listing",
                        query.label, self.seen[q]
                    ));
                }
            }
        }
        out
    }

    /// All records in query order, then page order, then reply order; first of each id kept.
    pub fn into_certs(mut self) -> Vec<Cert> {
        self.pages.sort_by_key(|(q, p, _)| (*q, *p));
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (_, _, page) in self.pages {
            for c in page.certs {
                if seen.insert(c.id.clone()) {
                    out.push(c);
                }
            }
        }
        out
    }
}

/// Most pages certdel walks per query: 10,000 pages is 500,000 Huawei or 10 million Tencent
/// records, far above any real account. A server reporting more is answered with an error,
/// not with hours of requests or a queue that does not fit in memory.
pub const MAX_PAGES: u32 = 10_000;

/// Fetch every page of `queries` queries: page 0 of each, then the rest as the totals make
/// them known, at most `concurrency` at a time. Pages are queued lazily (one at a time per
/// query), so a server's total costs no memory. The first failure cancels the rest, and a
/// server that contradicts itself fails the walk: a total above [`MAX_PAGES`] pages or a page
/// that repeats earlier records instead of bringing new ones at once; an empty page before the
/// last one the total promises stops the query's paging there (reported after the walk).
pub async fn walk<F, Fut>(
    queries: usize,
    page_size: Option<u32>,
    concurrency: usize,
    fetch: F,
) -> Result<Walked, PageFailed>
where
    F: Fn(usize, u32) -> Fut,
    Fut: Future<Output = Result<Page, String>> + Send + 'static,
{
    walk_observed(queries, page_size, concurrency, fetch, &|_| {}).await
}

/// [`walk`], telling `on_page` after each page fetched how many have been, and how many
/// there are once every query's count is known: from the total its first page reported, or,
/// without a total, once it ran out of pages. A query of one page (no paging) is one.
pub async fn walk_observed<F, Fut>(
    queries: usize,
    page_size: Option<u32>,
    concurrency: usize,
    fetch: F,
    on_page: &(dyn Fn(Pages) + Sync),
) -> Result<Walked, PageFailed>
where
    F: Fn(usize, u32) -> Fut,
    Fut: Future<Output = Result<Page, String>> + Send + 'static,
{
    let mut walked = Walked::new(queries);
    // Per query: how many pages it has, once known.
    let mut expected: Vec<Option<u64>> = vec![page_size.map_or(Some(1), |_| None); queries];
    let mut fetched = 0u64;
    let mut tell = |expected: &[Option<u64>]| {
        fetched += 1;
        on_page(Pages {
            fetched,
            total: expected.iter().copied().sum(),
        });
    };
    let mut todo: VecDeque<(usize, u32)> = (0..queries).map(|q| (q, 0)).collect();
    // Queries with pages still to queue: (query, next page, end of the pages).
    let mut frontier: VecDeque<(usize, u32, u32)> = VecDeque::new();
    // Ids seen per query, to notice a server that ignores the page parameters.
    let mut ids: Vec<HashSet<String>> = vec![HashSet::new(); queries];
    let mut running: JoinSet<(usize, u32, Result<Page, String>)> = JoinSet::new();
    // Pages before the last that came back with fewer records than asked for.
    let mut short: Vec<(usize, u32, u64)> = Vec::new();
    let concurrency = concurrency.max(1);
    let fail = |query: usize, page: u32, why: String| PageFailed { query, page, why };
    loop {
        while running.len() < concurrency {
            let next = todo.pop_front().or_else(|| {
                let (q, page, end) = frontier.pop_front()?;
                if page + 1 < end {
                    frontier.push_back((q, page + 1, end));
                }
                Some((q, page))
            });
            let Some((q, p)) = next else {
                break;
            };
            let fut = fetch(q, p);
            running.spawn(async move { (q, p, fut.await) });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        let (q, p, result) = match joined {
            Ok(r) => r,
            Err(e) => {
                running.abort_all();
                return Err(fail(0, 0, format!("internal error: {e}")));
            }
        };
        let page = match result {
            Ok(page) => page,
            Err(why) => {
                running.abort_all();
                return Err(fail(q, p, why));
            }
        };
        if let Some(why) = page.skipped.clone() {
            walked.skipped[q] = Some(why);
            expected[q] = Some(u64::from(p) + 1);
            tell(&expected);
            continue;
        }
        let count = page.certs.len() as u64;
        walked.seen[q] += count;
        let fresh = page
            .certs
            .iter()
            .filter(|c| ids[q].insert(c.id.clone()))
            .count();
        if p == 0 {
            walked.totals[q] = page.total;
        }
        if let Some(size) = page_size {
            if p > 0 && count > 0 && fresh == 0 && walked.totals[q].is_some() {
                running.abort_all();
                return Err(fail(
                    q,
                    p,
                    format!(
                        "the server repeated earlier records instead of page {}: it does not page as certdel asks",
                        p + 1
                    ),
                ));
            }
            if let Some(total) = walked.totals[q] {
                let pages = total.div_ceil(u64::from(size.max(1)));
                if p == 0 && pages > u64::from(MAX_PAGES) {
                    running.abort_all();
                    return Err(fail(
                        q,
                        p,
                        format!(
                            "the server reports {total} records, {pages} pages of {size}: more than the {MAX_PAGES} pages certdel walks per query"
                        ),
                    ));
                }
                // A short page before the last one; or a short first page, whose total came
                // in the same reply (so no concurrent change explains it): a clamped size.
                let last = remaining_pages(total, size).end.saturating_sub(1);
                if p > 0 && p < last && count == 0 {
                    // The total contradicts the pages: queue no more of this query's pages
                    // (the check after the walk reports it); pages in flight still land.
                    frontier.retain(|(fq, _, _)| *fq != q);
                }
                let first_short = p == 0 && count < total.min(u64::from(size));
                if first_short || (p < last && count < u64::from(size)) {
                    short.push((q, p, count));
                }
            }
            match (p, walked.totals[q]) {
                // The total is known after the first page: the other pages are queued lazily.
                (0, Some(total)) => {
                    let rest = remaining_pages(total, size);
                    expected[q] = Some(u64::from(rest.end));
                    if !rest.is_empty() {
                        frontier.push_back((q, rest.start, rest.end));
                    }
                }
                // No total: walk on while pages come back full and bring new records.
                (_, None) if count >= u64::from(size) => {
                    if fresh == 0 {
                        walked.looped[q] = true;
                        expected[q] = Some(u64::from(p) + 1);
                    } else if p + 1 >= MAX_PAGES {
                        running.abort_all();
                        return Err(fail(
                            q,
                            p,
                            format!("more than the {MAX_PAGES} pages certdel walks per query"),
                        ));
                    } else {
                        todo.push_back((q, p + 1));
                    }
                }
                // A short page without a total: the query's last.
                (_, None) => expected[q] = Some(u64::from(p) + 1),
                _ => {}
            }
        }
        tell(&expected);
        walked.pages.push((q, p, page));
    }
    short.sort();
    for (q, p, count) in short {
        let total = walked.totals[q].unwrap_or_default();
        if walked.seen[q] < total {
            return Err(fail(
                q,
                p,
                format!(
                    "{count} records where {} were asked for, and {} of the reported {total} came back: the server does not page as certdel asks",
                    page_size.unwrap_or_default(),
                    walked.seen[q]
                ),
            ));
        }
    }
    Ok(walked)
}

/// Keep what the filter matches, soonest expiry first (unknown last), then by id.
pub fn select(certs: Vec<Cert>, filter: &Filter) -> Vec<Cert> {
    let mut kept: Vec<Cert> = certs.into_iter().filter(|c| filter.matches(c)).collect();
    kept.sort_by(|a, b| {
        let key = |c: &Cert| (c.not_after.known().is_none(), c.not_after.known());
        key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
    });
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Expiry;
    use chrono::{DateTime, Duration};
    use std::sync::Mutex;

    #[test]
    fn page_plan_for_250_records() {
        // huawei-scm (50 a page): offsets 0, 50, 100, 150, 200 → pages 0..5.
        assert_eq!(
            remaining_pages(250, 50).collect::<Vec<_>>(),
            vec![1, 2, 3, 4]
        );
        // tencent-ssl (1000 a page): one page.
        assert!(remaining_pages(250, 1000).collect::<Vec<_>>().is_empty());
        // volcengine-live (100): pages 0, 1, 2.
        assert_eq!(remaining_pages(250, 100).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(
            remaining_pages(251, 50).collect::<Vec<_>>(),
            vec![1, 2, 3, 4, 5]
        );
        assert_eq!(remaining_pages(50, 50).count(), 0);
        assert_eq!(remaining_pages(0, 50).count(), 0);
        assert_eq!(remaining_pages(1, 0).count(), 0);
    }

    /// A store of `n` records served `size` at a time, with or without a total.
    fn server(
        n: usize,
        size: usize,
        with_total: bool,
        asked: Arc<Mutex<Vec<(usize, u32)>>>,
        fail_page: Option<u32>,
    ) -> impl Fn(usize, u32) -> std::future::Ready<Result<Page, String>> {
        move |q, p| {
            asked.lock().unwrap().push((q, p));
            if Some(p) == fail_page {
                return std::future::ready(Err("throttled after 6 attempts".into()));
            }
            let start = p as usize * size;
            let certs = (start..(start + size).min(n))
                .map(|i| Cert::new(format!("q{q}-{i:03}")))
                .collect();
            std::future::ready(Ok(Page {
                certs,
                total: with_total.then_some(n as u64),
                skipped: None,
                warnings: Vec::new(),
            }))
        }
    }

    #[tokio::test]
    async fn walks_every_page_concurrently_when_the_total_is_known() {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let w = walk(1, Some(50), 4, server(250, 50, true, asked.clone(), None))
            .await
            .unwrap();
        let mut pages = asked.lock().unwrap().clone();
        pages.sort();
        assert_eq!(pages, (0..5).map(|p| (0, p)).collect::<Vec<_>>());
        assert!(w.warnings(&[ListQuery::new("q", vec![])]).is_empty());
        let certs = w.into_certs();
        assert_eq!(certs.len(), 250);
        assert_eq!(certs[0].id, "q0-000");
        assert_eq!(certs[249].id, "q0-249");
    }

    #[tokio::test]
    async fn walks_sequentially_without_a_total() {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let w = walk(
            2,
            Some(100),
            4,
            server(250, 100, false, asked.clone(), None),
        )
        .await
        .unwrap();
        let mut pages = asked.lock().unwrap().clone();
        pages.sort();
        assert_eq!(pages, vec![(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]);
        assert_eq!(w.into_certs().len(), 500);
    }

    /// What `on_page` was told, in order.
    async fn observed(
        queries: usize,
        size: Option<u32>,
        fetch: impl Fn(usize, u32) -> std::future::Ready<Result<Page, String>>,
    ) -> Vec<Pages> {
        let told = Mutex::new(Vec::new());
        walk_observed(queries, size, 1, fetch, &|p| told.lock().unwrap().push(p))
            .await
            .unwrap();
        told.into_inner().unwrap()
    }

    #[tokio::test]
    async fn progress_counts_pages_and_knows_the_total_from_the_first_page() {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let told = observed(1, Some(50), server(250, 50, true, asked, None)).await;
        let want: Vec<Pages> = (1..=5)
            .map(|fetched| Pages {
                fetched,
                total: Some(5),
            })
            .collect();
        assert_eq!(told, want);
    }

    #[tokio::test]
    async fn progress_without_a_total_knows_it_once_every_query_ran_out() {
        let asked = Arc::new(Mutex::new(Vec::new()));
        // Two queries of 3 pages each (100, 100, 50 records), one page at a time.
        let told = observed(2, Some(100), server(250, 100, false, asked, None)).await;
        assert_eq!(told.len(), 6);
        assert_eq!(
            told.iter().map(|p| p.fetched).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5, 6]
        );
        assert!(told[..5].iter().all(|p| p.total.is_none()), "{told:?}");
        assert_eq!(told[5].total, Some(6));
        // Queries that are not paged (alibaba-slb, one call per region): one page each.
        let asked = Arc::new(Mutex::new(Vec::new()));
        let told = observed(3, None, server(20, 1000, false, asked, None)).await;
        assert_eq!(
            told.last(),
            Some(&Pages {
                fetched: 3,
                total: Some(3)
            })
        );
        assert!(told.iter().all(|p| p.total == Some(3)), "{told:?}");
    }

    #[tokio::test]
    async fn a_failed_page_fails_the_listing() {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let e = walk(1, Some(50), 2, server(250, 50, true, asked, Some(3)))
            .await
            .unwrap_err();
        assert_eq!(
            e,
            PageFailed {
                query: 0,
                page: 3,
                why: "throttled after 6 attempts".into()
            }
        );
    }

    #[tokio::test]
    async fn no_paging_means_one_call_per_query() {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let w = walk(3, None, 8, server(20, 1000, false, asked.clone(), None))
            .await
            .unwrap();
        assert_eq!(asked.lock().unwrap().len(), 3);
        assert_eq!(w.into_certs().len(), 60);
    }

    /// Pages of `size` with `served(page)` records each, and a reported total.
    fn pages(
        total: u64,
        size: usize,
        served: fn(u32) -> usize,
    ) -> impl Fn(usize, u32) -> std::future::Ready<Result<Page, String>> {
        move |_q, p| {
            let certs = (0..served(p).min(size))
                .map(|i| Cert::new(format!("{p}-{i}")))
                .collect();
            std::future::ready(Ok(Page {
                certs,
                total: Some(total),
                skipped: None,
                warnings: Vec::new(),
            }))
        }
    }

    #[tokio::test]
    async fn a_server_that_stops_paging_fails_the_listing() {
        // Says 250, then serves nothing past offset 100 (the documented "offset ≤ 100").
        let e = walk(
            1,
            Some(50),
            4,
            pages(250, 50, |p| {
                if p < 2 {
                    50
                } else if p == 2 {
                    20
                } else {
                    0
                }
            }),
        )
        .await
        .unwrap_err();
        assert_eq!((e.query, e.page), (0, 2));
        assert!(e.why.contains("120 of the reported 250"), "{}", e.why);
        // A page size clamped below what was asked for: page 0 is already short.
        let e = walk(1, Some(1000), 4, pages(250, 1000, |_| 100))
            .await
            .unwrap_err();
        assert_eq!(e.page, 0);
    }

    type Calls = std::sync::Arc<std::sync::atomic::AtomicUsize>;

    /// A fetcher that counts its calls and serves `served(page)` records of ids `{page}-{i}`
    /// (or, with `repeat`, the same ids on every page) under a reported total.
    fn counting(
        total: u64,
        size: usize,
        served: fn(u32) -> usize,
        repeat: bool,
    ) -> (
        Calls,
        impl Fn(usize, u32) -> std::future::Ready<Result<Page, String>>,
    ) {
        let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = std::sync::Arc::clone(&calls);
        let fetch = move |_q, p: u32| {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let key = if repeat { 0 } else { p };
            let certs = (0..served(p).min(size))
                .map(|i| Cert::new(format!("{key}-{i}")))
                .collect();
            std::future::ready(Ok(Page {
                certs,
                total: Some(total),
                skipped: None,
                warnings: Vec::new(),
            }))
        };
        (calls, fetch)
    }

    #[tokio::test]
    async fn an_absurd_total_is_refused_after_one_request() {
        // total_count = 2^64 - 1: no queue of pages, no allocation, one request.
        let (calls, fetch) = counting(u64::MAX, 50, |_| 50, false);
        let e = walk(1, Some(50), 8, fetch).await.unwrap_err();
        assert_eq!(e.page, 0);
        assert!(e.why.contains("more than the 10000 pages"), "{}", e.why);
        assert_eq!(calls.load(std::sync::atomic::Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn a_total_the_pages_contradict_stops_paging_at_the_first_empty_page() {
        // Claims 3,000,000 records (3,000 pages) but holds 2,000: paging stops at the first
        // empty page instead of requesting the 2,998 others, and the listing fails.
        let (calls, fetch) = counting(3_000_000, 1000, |p| if p < 2 { 1000 } else { 0 }, false);
        let e = walk(1, Some(1000), 4, fetch).await.unwrap_err();
        assert!(e.why.contains("2000 of the reported 3000000"), "{}", e.why);
        let n = calls.load(std::sync::atomic::Ordering::Relaxed);
        assert!(n <= 8, "{n} requests");
    }

    #[tokio::test]
    async fn a_server_repeating_the_same_page_fails_the_listing() {
        // Ignores the offset: the same 1,000 records on every page, total 3,000.
        let (_, fetch) = counting(3000, 1000, |_| 1000, true);
        let e = walk(1, Some(1000), 1, fetch).await.unwrap_err();
        assert_eq!(e.page, 1);
        assert!(e.why.contains("repeated earlier records"), "{}", e.why);
    }

    #[tokio::test]
    async fn a_short_count_and_a_looping_server_are_warned_about() {
        // Says 250 but the last page is short: certificates went away while listing.
        let w = walk(
            1,
            Some(50),
            4,
            pages(250, 50, |p| if p < 4 { 50 } else { 40 }),
        )
        .await
        .unwrap();
        let warnings = w.warnings(&[ListQuery::new("ListCertificates", vec![])]);
        assert_eq!(
            warnings,
            vec!["ListCertificates: the server reported 250 certificates but 240 came back; the set may have changed while listing"]
        );
        // No total, and the server ignores the page number: stop, and say so.
        let same = |_q: usize, _p: u32| {
            std::future::ready(Ok(Page {
                certs: (0..10).map(|i| Cert::new(format!("{i}"))).collect(),
                total: None,
                skipped: None,
                warnings: Vec::new(),
            }))
        };
        let w = walk(1, Some(10), 4, same).await.unwrap();
        assert_eq!(w.warnings(&[ListQuery::new("X", vec![])]).len(), 1);
        assert_eq!(w.into_certs().len(), 10);
    }

    #[test]
    fn dedupes_filters_and_sorts() {
        let now = DateTime::parse_from_rfc3339("2025-03-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let cert = |id: &str, days: Option<i64>| {
            let mut c = Cert::new(id);
            c.not_after = match days {
                Some(d) => Expiry::Known(now + Duration::days(d)),
                None => Expiry::Unknown { raw: None },
            };
            c
        };
        let mut w = Walked::new(2);
        w.pages.push((
            1,
            0,
            Page {
                certs: vec![cert("b", Some(-3)), cert("x", Some(400))],
                ..Page::default()
            },
        ));
        w.pages.push((
            0,
            0,
            Page {
                certs: vec![cert("a", Some(10)), cert("b", Some(-3)), cert("u", None)],
                ..Page::default()
            },
        ));
        let all = select(w.into_certs(), &Filter::all(now));
        let ids: Vec<&str> = all.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, vec!["b", "a", "x", "u"]);
        let expired = FilterSpec {
            expired: true,
            ..Default::default()
        }
        .resolve(now);
        let ids: Vec<String> = select(all, &expired).into_iter().map(|c| c.id).collect();
        assert_eq!(ids, vec!["b"]);
    }
}
