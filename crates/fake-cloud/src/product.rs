//! What a fake product is: one vendor protocol's routing, authentication, handlers and the
//! vendor's own error shapes. Each product module implements [`FakeProduct`]; the dispatcher
//! ([`crate::dispatch`]) only asks [`PRODUCTS`] which one a request belongs to and calls it,
//! so a sixth product is one module, one entry here and one [`for_kind`] arm.

use super::{Call, Handled, Incoming, Out, Quota, State};
use certdel::provider::Kind;

/// One vendor protocol served by the fake.
pub trait FakeProduct: Sync {
    /// This product's call for a request of its shape (`None`: not this product's).
    fn route(&self, inc: &Incoming) -> Option<Call>;

    /// Check the signature, clock and account the way the vendor's gateway does; the vendor's
    /// error answer otherwise.
    fn authenticate(
        &self,
        state: &State,
        inc: &Incoming,
        call: &Call,
        rid: &str,
    ) -> Result<(), Out>;

    /// Carry out a routed, authenticated call against the store.
    fn handle(&self, state: &State, inc: &Incoming, call: &Call, rid: &str) -> Handled;

    /// The vendor's internal-error answer (injected faults, `http500` certificates).
    fn internal_error(&self, state: &State, call: &Call, rid: &str) -> Out;

    /// The vendor's throttling answer when the product's quota is used up.
    fn throttled(&self, state: &State, call: &Call, rid: &str, quota: Quota) -> Out;
}

/// Every product, in routing order: the first whose [`FakeProduct::route`] claims a request
/// gets it (the real hosts never share a port, so the shapes are told apart here).
pub const PRODUCTS: [&dyn FakeProduct; 4] = [
    &super::huawei::Huawei,
    &super::tencent::Tencent,
    &super::alibaba::Alibaba,
    &super::volc::Volcengine,
];

/// The product that serves `kind` (alibaba-slb and alibaba-cas share one).
pub fn for_kind(kind: Kind) -> &'static dyn FakeProduct {
    match kind {
        Kind::HuaweiScm => &super::huawei::Huawei,
        Kind::TencentSsl => &super::tencent::Tencent,
        Kind::VolcengineLive => &super::volc::Volcengine,
        Kind::AlibabaSlb | Kind::AlibabaCas => &super::alibaba::Alibaba,
    }
}

/// The product that claims this request, if any.
pub fn route(inc: &Incoming) -> Option<Call> {
    PRODUCTS.iter().find_map(|p| p.route(inc))
}
