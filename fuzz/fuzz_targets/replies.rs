//! Every provider's reply readers on one reply: the first two bytes are the HTTP status, the
//! next one picks a header, the rest is the body.
#![no_main]

use certdel::cert::Filter;
use certdel::outcome::Status;
use certdel::provider::{self, huawei_scm, Class, Kind};
use certdel::wire::Reply;
use certdel::settings::{CasTarget, ProviderSettings};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let status = u16::from_le_bytes([data[0], data[1]]) % 600;
    let headers = match data[2] % 4 {
        0 => vec![],
        1 => vec![("retry-after".to_string(), "1e308".to_string())],
        2 => vec![("x-acs-retry-after".to_string(), "2.5".to_string())],
        _ => vec![("x-request-id".to_string(), "r".to_string())],
    };
    let reply = Reply {
        status,
        headers,
        body: data[3..].to_vec(),
    };
    let now = chrono::DateTime::from_timestamp(1_740_787_200, 0).unwrap();
    let filter = Filter::all(now);
    for kind in Kind::ALL {
        for cas in [CasTarget::Orders, CasTarget::Certificates] {
            let mut s = ProviderSettings::for_test(kind);
            s.region = Some("cn-hangzhou".into());
            s.cas_target = cas;
            let p = provider::build(&s);
            let a = p.delete_answer(&reply);
            if a.class == Class::Done(Status::Deleted) {
                assert!((200..300).contains(&reply.status));
            }
            for q in p.list_plan(&filter) {
                if let Ok(page) = p.list_answer(&q, &reply) {
                    for c in &page.certs {
                        assert!(!c.id.is_empty());
                        if let Some(t) = c.not_after.known() {
                            certdel::time::rfc3339_utc(t);
                            certdel::time::days_left(t, now);
                        }
                        filter.matches(c);
                    }
                }
            }
            if let Some(b) = p.batch() {
                let ids = vec!["1".to_string(), "a".to_string()];
                if let Ok(items) = b.batch_answer(&ids, &reply) {
                    assert_eq!(items.len(), ids.len());
                }
                let _ = b.task_answer(&reply);
            }
        }
    }
    let _ = huawei_scm::discover_answer(&reply);
});
