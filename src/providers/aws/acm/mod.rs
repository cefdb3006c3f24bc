//! ACM resources: `aws_acm_certificate`, `aws_acm_certificate_validation`.

pub mod certificate;
pub mod certificate_validation;

use std::sync::Arc;

use aws_sdk_acm::types::CertificateDetail;

use crate::providers::aws::{aws_err, Aws};
use crate::providers::{ProviderError, Registry};

pub fn register(r: &mut Registry) {
    r.resources.insert(
        "aws_acm_certificate",
        Arc::new(certificate::Certificate::new()),
    );
    r.resources.insert(
        "aws_acm_certificate_validation",
        Arc::new(certificate_validation::CertificateValidation::new()),
    );
}

/// DescribeCertificate; `None` when there is no such certificate.
pub async fn describe(aws: &Aws, arn: &str) -> Result<Option<CertificateDetail>, ProviderError> {
    match aws
        .acm()
        .describe_certificate()
        .certificate_arn(arn)
        .send()
        .await
    {
        Ok(o) => Ok(o.certificate().cloned()),
        Err(e) => {
            let e = aws_err(e);
            if is_gone(&e) {
                Ok(None)
            } else {
                Err(e)
            }
        }
    }
}

pub fn is_gone(e: &ProviderError) -> bool {
    matches!(
        e.code.as_deref(),
        Some("ResourceNotFoundException") | Some("ValidationException")
    ) && (e.code.as_deref() == Some("ResourceNotFoundException")
        || e.message.contains("not found")
        || e.message.contains("does not exist"))
}

/// An SDK time as RFC 3339 in UTC ("2026-01-02T03:04:05Z"), as Go's
/// `time.RFC3339` formats it.
pub fn rfc3339(t: &aws_sdk_acm::primitives::DateTime) -> String {
    chrono::DateTime::from_timestamp(t.secs(), 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// An SDK time as Go's `time.Time.String()` prints a UTC time
/// ("2026-01-02 03:04:05.5 +0000 UTC").
pub fn go_time_string(t: Option<&aws_sdk_acm::primitives::DateTime>) -> String {
    let (secs, nanos) = t.map(|t| (t.secs(), t.subsec_nanos())).unwrap_or((0, 0));
    let Some(d) = chrono::DateTime::from_timestamp(secs, 0) else {
        return String::new();
    };
    let frac = if nanos == 0 {
        String::new()
    } else {
        format!(".{nanos:09}").trim_end_matches('0').to_string()
    };
    if t.is_none() {
        return "0001-01-01 00:00:00 +0000 UTC".to_string();
    }
    format!("{}{frac} +0000 UTC", d.format("%Y-%m-%d %H:%M:%S"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let t = aws_sdk_acm::primitives::DateTime::from_secs(1_700_000_000);
        assert_eq!(rfc3339(&t), "2023-11-14T22:13:20Z");
        assert_eq!(go_time_string(Some(&t)), "2023-11-14 22:13:20 +0000 UTC");
        let t = aws_sdk_acm::primitives::DateTime::from_secs_and_nanos(1_700_000_000, 500_000_000);
        assert_eq!(go_time_string(Some(&t)), "2023-11-14 22:13:20.5 +0000 UTC");
        assert_eq!(go_time_string(None), "0001-01-01 00:00:00 +0000 UTC");
    }
}
