//! Route 53 resources: `aws_route53_zone`, `aws_route53_record`.

pub mod cdata;
pub mod record;
pub mod zone;

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_route53::types::ChangeStatus;

use crate::providers::aws::{aws_err, wait_until, Aws};
use crate::providers::{ProviderError, Registry};

pub fn register(r: &mut Registry) {
    r.resources
        .insert("aws_route53_zone", Arc::new(zone::Zone::new()));
    r.resources
        .insert("aws_route53_record", Arc::new(record::Record::new()));
}

/// herd's Route 53 client: reads CDATA sections in responses (see [`cdata`]).
pub fn client_config(b: aws_sdk_route53::config::Builder) -> aws_sdk_route53::config::Builder {
    b.interceptor(cdata::UnwrapCdata)
}

/// A hosted zone id without its `/hostedzone/` prefix (the provider's
/// `cleanZoneID`).
pub fn clean_zone_id(id: &str) -> String {
    id.trim_start_matches("/hostedzone/").to_string()
}

/// A change id without its `/change/` prefix.
pub fn clean_change_id(id: &str) -> String {
    id.trim_start_matches("/change/").to_string()
}

/// A domain name as the provider normalises it: lower case, no trailing
/// dot, `\052` (an escaped `*`) back to `*`.
pub fn normalize_domain(name: &str) -> String {
    let n = name.trim_end_matches('.').to_lowercase();
    match n.strip_prefix("\\052") {
        Some(rest) => format!("*{rest}"),
        None => n,
    }
}

/// What a `GetChange` status means for a waiter: done once `INSYNC`.
#[derive(Debug, PartialEq, Eq)]
pub enum Sync {
    Done,
    Wait,
}

pub fn change_state(status: Option<&ChangeStatus>) -> Sync {
    match status {
        Some(ChangeStatus::Insync) => Sync::Done,
        _ => Sync::Wait,
    }
}

/// Wait until a Route 53 change is `INSYNC`.
pub async fn wait_insync(
    aws: &Aws,
    change_id: &str,
    timeout: Duration,
) -> Result<(), ProviderError> {
    let id = clean_change_id(change_id);
    wait_until(
        &format!("Route 53 change ({id}) to become INSYNC"),
        timeout,
        || async {
            let out = aws
                .route53()
                .get_change()
                .id(&id)
                .send()
                .await
                .map_err(aws_err)?;
            Ok(change_state(out.change_info().map(|c| c.status())) == Sync::Done)
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_states() {
        assert_eq!(change_state(Some(&ChangeStatus::Insync)), Sync::Done);
        assert_eq!(change_state(Some(&ChangeStatus::Pending)), Sync::Wait);
        assert_eq!(change_state(None), Sync::Wait);
    }

    #[test]
    fn names() {
        assert_eq!(normalize_domain("WWW.Example.com."), "www.example.com");
        assert_eq!(normalize_domain("\\052.example.com."), "*.example.com");
        assert_eq!(clean_zone_id("/hostedzone/Z123"), "Z123");
        assert_eq!(clean_change_id("/change/C1"), "C1");
    }
}
