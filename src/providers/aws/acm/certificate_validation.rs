//! `aws_acm_certificate_validation`: waits until a certificate is issued.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_acm::types::{CertificateStatus, CertificateType, ValidationMethod};

use super::{describe, go_time_string};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{aws, get, get_str, get_strs, wait_until, with};
use crate::providers::{timeout, Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct CertificateValidation {
    schema: Schema,
}

impl CertificateValidation {
    pub fn new() -> CertificateValidation {
        CertificateValidation {
            schema: Schema::new()
                .attr("id", Attribute::computed(Type::String))
                .attr(
                    "certificate_arn",
                    Attribute::required(Type::String).force_new(),
                )
                .attr(
                    "validation_record_fqdns",
                    Attribute::optional(Type::set(Type::String)).force_new(),
                )
                .timeouts(&["create"]),
        }
    }
}

impl Default for CertificateValidation {
    fn default() -> Self {
        CertificateValidation::new()
    }
}

/// What a certificate status means while waiting for issuance.
#[derive(Debug, PartialEq, Eq)]
pub enum Issue {
    Wait,
    Done,
    Fail(String),
}

pub fn issue_state(status: Option<&CertificateStatus>, reason: Option<&str>) -> Issue {
    match status {
        Some(CertificateStatus::Issued) => Issue::Done,
        Some(CertificateStatus::PendingValidation) => Issue::Wait,
        Some(s) => Issue::Fail(match reason {
            Some(r) if !r.is_empty() => {
                format!(
                    "unexpected state '{}', wanted target 'ISSUED'. last error: {r}",
                    s.as_str()
                )
            }
            _ => format!("unexpected state '{}', wanted target 'ISSUED'", s.as_str()),
        }),
        None => Issue::Wait,
    }
}

/// The validation records the certificate needs that `fqdns` lacks, as
/// (domain, record name).
pub fn missing_records(wanted: &[(String, String)], fqdns: &[String]) -> Vec<(String, String)> {
    let have: Vec<String> = fqdns
        .iter()
        .map(|f| f.trim_end_matches('.').to_string())
        .collect();
    wanted
        .iter()
        .filter(|(_, name)| !have.contains(&name.trim_end_matches('.').to_string()))
        .cloned()
        .collect()
}

#[async_trait]
impl Resource for CertificateValidation {
    fn type_name(&self) -> &'static str {
        "aws_acm_certificate_validation"
    }
    fn display_name(&self) -> &'static str {
        "ACM Certificate Validation"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let arn = get_str(planned, "certificate_arn").unwrap_or_default();
        let Some(c) = describe(&aws, &arn).await? else {
            return Err(ProviderError::new(format!(
                "reading ACM Certificate ({arn}): couldn't find resource"
            )));
        };
        if let Some(t) = c.r#type().filter(|t| **t != CertificateType::AmazonIssued) {
            return Err(ProviderError::new(format!(
                "ACM Certificate ({arn}) has type {}, no validation necessary",
                t.as_str()
            )));
        }
        let fqdns = get_strs(planned, "validation_record_fqdns");
        if !fqdns.is_empty() {
            let mut wanted = vec![];
            for v in c.domain_validation_options() {
                if let Some(m) = v
                    .validation_method()
                    .filter(|m| **m != ValidationMethod::Dns)
                {
                    return Err(ProviderError::new(format!(
                        "validation_record_fqdns is not valid for {} validation",
                        m.as_str()
                    )));
                }
                if let Some(r) = v.resource_record().filter(|r| !r.name().is_empty()) {
                    wanted.push((v.domain_name().to_string(), r.name().to_string()));
                }
            }
            let missing = missing_records(&wanted, &fqdns);
            if !missing.is_empty() {
                return Err(ProviderError::new(
                    missing
                        .iter()
                        .map(|(d, f)| {
                            format!(
                                "missing {d} DNS validation record: {}",
                                f.trim_end_matches('.')
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n"),
                ));
            }
        }
        let limit = timeout(planned, "create", Duration::from_secs(75 * 60));
        wait_until(
            &format!("ACM Certificate ({arn}) to be issued"),
            limit,
            || async {
                let Some(c) = describe(&aws, &arn).await? else {
                    return Ok(false);
                };
                match issue_state(c.status(), c.failure_reason().map(|r| r.as_str())) {
                    Issue::Done => Ok(true),
                    Issue::Wait => Ok(false),
                    Issue::Fail(m) => Err(ProviderError::new(format!(
                        "waiting for ACM Certificate ({arn}) to be issued: {m}"
                    ))),
                }
            },
        )
        .await
        .map_err(|mut e| {
            if !e.message.starts_with("waiting for") {
                e.message = format!(
                    "waiting for ACM Certificate ({arn}) to be issued: {}",
                    e.message
                );
            }
            e
        })?;
        let issued = describe(&aws, &arn).await?;
        let id = go_time_string(issued.as_ref().unwrap_or(&c).issued_at());
        let mut out = with(planned, "id", Value::string(id));
        out = with(&out, "certificate_arn", Value::string(&arn));
        Ok(out)
    }

    async fn read(&self, ctx: &ProviderCtx, state: &Value) -> Result<Option<Value>, ProviderError> {
        let aws = aws(ctx).await?;
        let arn = get_str(state, "certificate_arn").unwrap_or_default();
        let Some(c) = describe(&aws, &arn).await? else {
            return Ok(None);
        };
        if issue_state(c.status(), None) != Issue::Done {
            return Ok(None);
        }
        let mut m: BTreeMap<String, Value> = state.as_entries().cloned().unwrap_or_default();
        m.insert(
            "certificate_arn".to_string(),
            Value::string(c.certificate_arn().unwrap_or(&arn)),
        );
        if !get(state, "id").is_known() || get(state, "id").is_null() {
            m.insert(
                "id".to_string(),
                Value::string(go_time_string(c.issued_at())),
            );
        }
        Ok(Some(Value::object(m)))
    }

    async fn update(
        &self,
        _ctx: &ProviderCtx,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        // Every argument forces replacement: nothing to change in place.
        Ok(with(planned, "id", get(prior, "id")))
    }

    async fn delete(&self, _ctx: &ProviderCtx, _prior: &Value) -> Result<(), ProviderError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiter_decisions() {
        assert_eq!(
            issue_state(Some(&CertificateStatus::Issued), None),
            Issue::Done
        );
        assert_eq!(
            issue_state(Some(&CertificateStatus::PendingValidation), None),
            Issue::Wait
        );
        assert_eq!(issue_state(None, None), Issue::Wait);
        match issue_state(Some(&CertificateStatus::Failed), Some("CAA_ERROR")) {
            Issue::Fail(m) => assert!(m.contains("FAILED") && m.contains("CAA_ERROR"), "{m}"),
            x => panic!("{x:?}"),
        }
        assert!(matches!(
            issue_state(Some(&CertificateStatus::ValidationTimedOut), None),
            Issue::Fail(_)
        ));
    }

    #[test]
    fn missing() {
        let wanted = vec![
            ("example.com".to_string(), "_a.example.com.".to_string()),
            (
                "www.example.com".to_string(),
                "_a.www.example.com.".to_string(),
            ),
        ];
        assert!(missing_records(
            &wanted,
            &["_a.example.com".into(), "_a.www.example.com.".into()]
        )
        .is_empty());
        assert_eq!(
            missing_records(&wanted, &["_a.example.com".into()]),
            vec![wanted[1].clone()]
        );
    }
}
