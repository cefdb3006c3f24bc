//! `aws_acm_certificate`.
// The API still reports (and accepts) the transparency logging preference
// the provider's `options` block holds.
#![allow(deprecated)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_acm::primitives::Blob;
use aws_sdk_acm::types::{
    CertificateDetail, CertificateExport, CertificateOptions,
    CertificateTransparencyLoggingPreference, CertificateType, DomainStatus,
    DomainValidationOption, KeyAlgorithm, Tag, ValidationMethod,
};

use super::{describe, is_gone, rfc3339};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{
    aws, aws_err, get, get_str, get_strs, partial_err, plan_tags_all, planned_tags_all, read_tags,
    retry_on, str_list, str_map, tag_attrs, wait_until, with, Aws,
};
use crate::providers::{
    parse_duration, Attribute, BlockNesting, ProviderCtx, ProviderError, Resource, Schema,
};

pub struct Certificate {
    schema: Schema,
}

fn dvo_type() -> Type {
    Type::Object(
        [
            "domain_name",
            "resource_record_name",
            "resource_record_type",
            "resource_record_value",
        ]
        .into_iter()
        .map(|k| (k.to_string(), Type::String))
        .collect(),
    )
}

fn renewal_type() -> Type {
    Type::Object(
        ["renewal_status", "renewal_status_reason", "updated_at"]
            .into_iter()
            .map(|k| (k.to_string(), Type::String))
            .collect(),
    )
}

impl Certificate {
    pub fn new() -> Certificate {
        let c = || Attribute::computed(Type::String);
        let o = || Attribute::optional(Type::String);
        Certificate {
            schema: tag_attrs(
                Schema::new()
                    .attr("id", c())
                    .attr("arn", c())
                    .attr("status", c())
                    .attr("type", c())
                    .attr("not_after", c())
                    .attr("not_before", c())
                    .attr("renewal_eligibility", c())
                    .attr("pending_renewal", Attribute::computed(Type::Bool))
                    .attr(
                        "validation_emails",
                        Attribute::computed(Type::list(Type::String)),
                    )
                    .attr(
                        "domain_validation_options",
                        Attribute::computed(Type::set(dvo_type())),
                    )
                    .attr(
                        "renewal_summary",
                        Attribute::computed(Type::list(renewal_type())),
                    )
                    .attr(
                        "domain_name",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr(
                        "subject_alternative_names",
                        Attribute::optional_computed(Type::set(Type::String)).force_new(),
                    )
                    .attr(
                        "validation_method",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr(
                        "key_algorithm",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr("certificate_authority_arn", o().force_new())
                    .attr("certificate_body", o())
                    .attr("certificate_chain", o())
                    .attr("private_key", o().sensitive())
                    .attr("early_renewal_duration", o())
                    .block(
                        "options",
                        BlockNesting::List,
                        Schema::new()
                            .attr(
                                "certificate_transparency_logging_preference",
                                o().default(Value::string("ENABLED")),
                            )
                            .attr("export", Attribute::optional_computed(Type::String)),
                    )
                    .block(
                        "validation_option",
                        BlockNesting::Set,
                        Schema::new()
                            .attr("domain_name", Attribute::required(Type::String).force_new())
                            .attr(
                                "validation_domain",
                                Attribute::required(Type::String).force_new(),
                            ),
                    ),
            ),
        }
    }
}

impl Default for Certificate {
    fn default() -> Self {
        Certificate::new()
    }
}

/// The planned `domain_validation_options` of a DNS-validated certificate
/// (the provider's CustomizeDiff): one element per domain, its record
/// unknown until the certificate exists.
pub fn planned_dvos(domain: &Value, sans: &Value) -> Value {
    if !domain.is_known() || !sans.is_wholly_known() {
        return Value::unknown(Type::set(dvo_type()));
    }
    let mut names: BTreeSet<String> = BTreeSet::new();
    if let Some(d) = domain.as_str() {
        names.insert(d.to_string());
    }
    for s in sans.as_seq().unwrap_or_default() {
        if let Some(s) = s.as_str() {
            names.insert(s.to_string());
        }
    }
    let items = names
        .into_iter()
        .map(|n| {
            let mut m = BTreeMap::new();
            m.insert("domain_name".to_string(), Value::string(n));
            for k in [
                "resource_record_name",
                "resource_record_type",
                "resource_record_value",
            ] {
                m.insert(k.to_string(), Value::unknown(Type::String));
            }
            Value::object(m)
        })
        .collect();
    Value::set(dvo_type(), items)
}

/// Whether ACM has assigned the domain validations of a new certificate
/// (the provider's `statusCertificateDomainValidationsAvailable`).
pub fn validations_available(c: &CertificateDetail) -> bool {
    match c.r#type() {
        Some(CertificateType::AmazonIssued) => c.domain_validation_options().iter().any(|v| {
            v.resource_record().is_some()
                || !v.validation_emails().is_empty()
                || v.validation_status() == Some(&DomainStatus::Success)
        }),
        Some(CertificateType::Private) => {
            c.status() != Some(&aws_sdk_acm::types::CertificateStatus::PendingValidation)
        }
        _ => true,
    }
}

/// ACM reports "RSA-2048" where the API takes "RSA_2048".
pub fn key_algorithm_name(s: &str) -> String {
    let norm = |x: &str| x.replace('-', "_");
    KeyAlgorithm::values()
        .iter()
        .find(|v| norm(v) == norm(s))
        .map(|v| v.to_string())
        .unwrap_or_else(|| s.to_string())
}

fn opt(s: Option<&str>) -> Value {
    match s {
        Some(s) => Value::string(s),
        None => Value::null_of(Type::String),
    }
}

/// The `subject_alternative_names` to record, given ACM's list (which
/// includes the domain name itself) and the prior value: the prior set when
/// it is ACM's list short of the domain name, else ACM's list without the
/// domain name (the provider's `cleanUpSubjectAlternativeNames`) unless the
/// prior set named it too.
fn state_sans(domain: &str, aws: &[String], prior: &Value) -> Value {
    let aws_sans: BTreeSet<String> = aws.iter().cloned().collect();
    let known = prior.is_wholly_known() && !prior.is_null();
    let mut p: BTreeSet<String> = if known {
        prior
            .as_seq()
            .unwrap_or_default()
            .iter()
            .filter_map(|x| x.as_str().map(|s| s.to_string()))
            .collect()
    } else {
        BTreeSet::new()
    };
    let prior_has_domain = p.contains(domain);
    p.insert(domain.to_string());
    if known && p == aws_sans {
        return prior.clone();
    }
    Value::set(
        Type::String,
        aws_sans
            .into_iter()
            .filter(|s| prior_has_domain || s != domain)
            .map(Value::string)
            .collect(),
    )
}

fn to_state(
    ctx: &ProviderCtx,
    aws: &Aws,
    schema: &Schema,
    prior: &Value,
    c: &CertificateDetail,
    tags: Vec<(String, String)>,
) -> Value {
    let arn = c.certificate_arn().unwrap_or_default().to_string();
    let domain = c.domain_name().unwrap_or_default().to_string();
    let mut m = BTreeMap::new();
    let mut set = |k: &str, x: Value| {
        m.insert(k.to_string(), x);
    };
    set("id", Value::string(&arn));
    set("arn", Value::string(&arn));
    set("domain_name", Value::string(&domain));
    set(
        "subject_alternative_names",
        state_sans(
            &domain,
            c.subject_alternative_names(),
            &get(prior, "subject_alternative_names"),
        ),
    );
    let mut dvos = vec![];
    let mut emails = vec![];
    for v in c.domain_validation_options() {
        if let Some(r) = v.resource_record() {
            let mut o = BTreeMap::new();
            o.insert("domain_name".to_string(), Value::string(v.domain_name()));
            o.insert("resource_record_name".to_string(), Value::string(r.name()));
            o.insert(
                "resource_record_type".to_string(),
                Value::string(r.r#type().as_str()),
            );
            o.insert(
                "resource_record_value".to_string(),
                Value::string(r.value()),
            );
            dvos.push(Value::object(o));
        }
        emails.extend(v.validation_emails().iter().cloned());
    }
    set("domain_validation_options", Value::set(dvo_type(), dvos));
    set("validation_emails", str_list(emails));
    let method = match c.r#type() {
        Some(CertificateType::AmazonIssued) => c
            .domain_validation_options()
            .first()
            .and_then(|v| v.validation_method())
            .map(|m| m.as_str().to_string())
            .unwrap_or_else(|| "NONE".to_string()),
        _ => "NONE".to_string(),
    };
    set("validation_method", Value::string(method));
    set(
        "key_algorithm",
        opt(c
            .key_algorithm()
            .map(|k| key_algorithm_name(k.as_str()))
            .as_deref()),
    );
    set("not_after", opt(c.not_after().map(rfc3339).as_deref()));
    set("not_before", opt(c.not_before().map(rfc3339).as_deref()));
    set("status", opt(c.status().map(|s| s.as_str())));
    set("type", opt(c.r#type().map(|s| s.as_str())));
    let eligibility = c.renewal_eligibility().map(|s| s.as_str().to_string());
    set("renewal_eligibility", opt(eligibility.as_deref()));
    set(
        "certificate_authority_arn",
        opt(c.certificate_authority_arn()),
    );
    let options_ty = schema
        .blocks
        .get("options")
        .map(|b| b.block.value_type())
        .unwrap_or(Type::Dynamic);
    let options: Vec<Value> = c
        .options()
        .map(|o| {
            let mut x = BTreeMap::new();
            x.insert(
                "certificate_transparency_logging_preference".to_string(),
                Value::string(
                    o.certificate_transparency_logging_preference()
                        .map(|p| p.as_str())
                        .unwrap_or("ENABLED"),
                ),
            );
            x.insert(
                "export".to_string(),
                opt(o.export().map(|e| e.as_str()).filter(|e| !e.is_empty())),
            );
            Value::object(x)
        })
        .into_iter()
        .collect();
    // `options` is optional and computed: left unset, it stays unset.
    let prior_opts = get(prior, "options");
    let unset = prior_opts.as_seq().map(|s| s.is_empty()).unwrap_or(true);
    let default_opts = options.iter().all(|o| {
        get_str(o, "certificate_transparency_logging_preference").as_deref() == Some("ENABLED")
            && matches!(get_str(o, "export").as_deref(), None | Some("DISABLED"))
    });
    set(
        "options",
        if unset && default_opts && prior_opts.is_known() {
            Value::list(options_ty, vec![])
        } else {
            Value::list(options_ty, options)
        },
    );
    let summary: Vec<Value> = c
        .renewal_summary()
        .map(|r| {
            let mut x = BTreeMap::new();
            x.insert(
                "renewal_status".to_string(),
                Value::string(r.renewal_status().as_str()),
            );
            x.insert(
                "renewal_status_reason".to_string(),
                Value::string(
                    r.renewal_status_reason()
                        .map(|s| s.as_str())
                        .unwrap_or_default(),
                ),
            );
            x.insert(
                "updated_at".to_string(),
                Value::string(rfc3339(r.updated_at())),
            );
            Value::object(x)
        })
        .into_iter()
        .collect();
    set("renewal_summary", Value::list(renewal_type(), summary));
    // Pending renewal: eligible, and inside the early renewal window.
    let early = get_str(prior, "early_renewal_duration");
    let pending = eligibility.as_deref() == Some("ELIGIBLE")
        && match (early.as_deref().and_then(parse_duration), c.not_after()) {
            (Some(d), Some(na)) => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs() as i64)
                    .unwrap_or(0);
                now > na.secs() - d.as_secs() as i64
            }
            _ => false,
        };
    set("pending_renewal", Value::bool(pending));
    for k in [
        "certificate_body",
        "certificate_chain",
        "private_key",
        "early_renewal_duration",
    ] {
        let p = get(prior, k);
        set(
            k,
            if p.is_known() {
                p
            } else {
                Value::null_of(Type::String)
            },
        );
    }
    let vo = get(prior, "validation_option");
    let vo_ty = schema
        .blocks
        .get("validation_option")
        .map(|b| b.block.value_type())
        .unwrap_or(Type::Dynamic);
    set(
        "validation_option",
        if vo.is_wholly_known() && !vo.is_null() {
            vo
        } else {
            Value::set(vo_ty, vec![])
        },
    );
    let (tags, tags_all) = read_tags(ctx, aws, prior, tags);
    set("tags", tags);
    set("tags_all", tags_all);
    Value::object(m)
}

async fn list_tags(aws: &Aws, arn: &str) -> Result<Vec<(String, String)>, ProviderError> {
    let out = aws
        .acm()
        .list_tags_for_certificate()
        .certificate_arn(arn)
        .send()
        .await
        .map_err(aws_err)?;
    Ok(out
        .tags()
        .iter()
        .map(|t| {
            (
                t.key().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect())
}

fn acm_tags(m: &BTreeMap<String, String>) -> Result<Vec<Tag>, ProviderError> {
    m.iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| ProviderError::new(e.to_string()))
        })
        .collect()
}

async fn read_cert(
    ctx: &ProviderCtx,
    aws: &Aws,
    schema: &Schema,
    prior: &Value,
    arn: &str,
) -> Result<Option<Value>, ProviderError> {
    let Some(c) = describe(aws, arn).await? else {
        return Ok(None);
    };
    if c.status() == Some(&aws_sdk_acm::types::CertificateStatus::ValidationTimedOut) {
        return Ok(None);
    }
    let tags = list_tags(aws, arn).await?;
    Ok(Some(to_state(ctx, aws, schema, prior, &c, tags)))
}

fn options_of(v: &Value) -> Option<CertificateOptions> {
    let o = get(v, "options")
        .as_seq()
        .and_then(|s| s.first().cloned())?;
    let mut b = CertificateOptions::builder();
    if let Some(p) = get_str(&o, "certificate_transparency_logging_preference") {
        b = b.certificate_transparency_logging_preference(
            CertificateTransparencyLoggingPreference::from(p.as_str()),
        );
    }
    if let Some(e) = get_str(&o, "export").filter(|e| !e.is_empty()) {
        b = b.export(CertificateExport::from(e.as_str()));
    }
    Some(b.build())
}

#[async_trait]
impl Resource for Certificate {
    fn type_name(&self) -> &'static str {
        "aws_acm_certificate"
    }
    fn display_name(&self) -> &'static str {
        "ACM Certificate"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn customize_plan(
        &self,
        ctx: &ProviderCtx,
        prior: Option<&Value>,
        config: &Value,
        planned: Value,
    ) -> Value {
        let mut planned = plan_tags_all(ctx, planned);
        // `options` is optional and computed: unset keeps what AWS has.
        if let Some(p) = prior {
            let unset = get(config, "options")
                .as_seq()
                .map(|s| s.is_empty())
                .unwrap_or(true);
            if unset {
                planned = with(&planned, "options", get(p, "options"));
            }
        }
        let method = get(&planned, "validation_method");
        let domain = get(&planned, "domain_name");
        let sans = get(&planned, "subject_alternative_names");
        let changed = match prior {
            None => true,
            Some(p) => {
                !crate::engine::diff::same(&domain, &get(p, "domain_name"))
                    || !crate::engine::diff::same(&sans, &get(p, "subject_alternative_names"))
            }
        };
        if changed && method.as_str() == Some("DNS") && !domain.is_null() {
            // Unset SANs are computed (AWS lists none beyond the domain),
            // so the validation options follow from the configuration.
            let configured = get(config, "subject_alternative_names");
            let sans = if configured.is_null() && configured.is_known() {
                Value::set(Type::String, vec![])
            } else if configured.is_known() {
                configured
            } else {
                sans
            };
            planned = with(
                &planned,
                "domain_validation_options",
                planned_dvos(&domain, &sans),
            );
        }
        planned
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let tags = acm_tags(&planned_tags_all(planned))?;
        let tags = (!tags.is_empty()).then_some(tags);
        let arn = if let Some(domain) = get_str(planned, "domain_name") {
            let ca = get_str(planned, "certificate_authority_arn");
            let method = get_str(planned, "validation_method");
            if ca.is_none() && method.is_none() {
                return Err(ProviderError::new(
                    "`certificate_authority_arn` or `validation_method` must be set when creating an ACM certificate",
                ));
            }
            let sans = get_strs(planned, "subject_alternative_names");
            let vos: Vec<DomainValidationOption> = get(planned, "validation_option")
                .as_seq()
                .unwrap_or_default()
                .iter()
                .filter_map(|o| {
                    DomainValidationOption::builder()
                        .set_domain_name(get_str(o, "domain_name"))
                        .set_validation_domain(get_str(o, "validation_domain"))
                        .build()
                        .ok()
                })
                .collect();
            let token: String = format!("tf{}", uuid::Uuid::new_v4().simple())
                .chars()
                .take(32)
                .collect();
            let out = aws
                .acm()
                .request_certificate()
                .domain_name(&domain)
                .idempotency_token(token)
                .set_tags(tags)
                .set_certificate_authority_arn(ca)
                .set_key_algorithm(
                    get_str(planned, "key_algorithm").map(|k| KeyAlgorithm::from(k.as_str())),
                )
                .set_options(options_of(planned))
                .set_subject_alternative_names((!sans.is_empty()).then_some(sans))
                .set_validation_method(method.map(|m| ValidationMethod::from(m.as_str())))
                .set_domain_validation_options((!vos.is_empty()).then_some(vos))
                .send()
                .await
                .map_err(aws_err)?;
            out.certificate_arn()
                .ok_or_else(|| ProviderError::new("RequestCertificate returned no ARN"))?
                .to_string()
        } else {
            let out = aws
                .acm()
                .import_certificate()
                .certificate(Blob::new(
                    get_str(planned, "certificate_body").unwrap_or_default(),
                ))
                .private_key(Blob::new(
                    get_str(planned, "private_key").unwrap_or_default(),
                ))
                .set_certificate_chain(get_str(planned, "certificate_chain").map(Blob::new))
                .set_tags(tags)
                .send()
                .await
                .map_err(aws_err)?;
            out.certificate_arn()
                .ok_or_else(|| ProviderError::new("ImportCertificate returned no ARN"))?
                .to_string()
        };
        let finish = async {
            // DNS validation records are assigned asynchronously.
            wait_until(
                &format!("ACM Certificate ({arn}) domain validations"),
                Duration::from_secs(300),
                || async {
                    Ok(describe(&aws, &arn)
                        .await?
                        .map(|c| validations_available(&c))
                        .unwrap_or(false))
                },
            )
            .await?;
            read_cert(ctx, &aws, &self.schema, planned, &arn)
                .await?
                .ok_or_else(|| {
                    ProviderError::new(format!("ACM Certificate ({arn}) not found after creation"))
                })
        };
        finish.await.map_err(|e| partial_err(e, planned, &arn))
    }

    async fn read(&self, ctx: &ProviderCtx, state: &Value) -> Result<Option<Value>, ProviderError> {
        let aws = aws(ctx).await?;
        let arn = get_str(state, "id").unwrap_or_default();
        read_cert(ctx, &aws, &self.schema, state, &arn).await
    }

    async fn update(
        &self,
        ctx: &ProviderCtx,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let arn = get_str(prior, "id").unwrap_or_default();
        let changed = |k: &str| get_str(prior, k) != get_str(planned, k);
        if changed("certificate_body") || changed("private_key") || changed("certificate_chain") {
            aws.acm()
                .import_certificate()
                .certificate_arn(&arn)
                .certificate(Blob::new(
                    get_str(planned, "certificate_body").unwrap_or_default(),
                ))
                .private_key(Blob::new(
                    get_str(planned, "private_key").unwrap_or_default(),
                ))
                .set_certificate_chain(get_str(planned, "certificate_chain").map(Blob::new))
                .send()
                .await
                .map_err(aws_err)?;
        }
        let old_opts = get(prior, "options");
        let new_opts = get(planned, "options");
        if !crate::engine::diff::same(&old_opts, &new_opts) {
            if let Some(o) = options_of(planned) {
                aws.acm()
                    .update_certificate_options()
                    .certificate_arn(&arn)
                    .options(o)
                    .send()
                    .await
                    .map_err(aws_err)?;
            }
        }
        let old = str_map(&get(prior, "tags_all")).unwrap_or_default();
        let new = planned_tags_all(planned);
        let removed: BTreeMap<String, String> = old
            .iter()
            .filter(|(k, v)| new.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let added: BTreeMap<String, String> = new
            .iter()
            .filter(|(k, v)| old.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !removed.is_empty() {
            aws.acm()
                .remove_tags_from_certificate()
                .certificate_arn(&arn)
                .set_tags(Some(acm_tags(&removed)?))
                .send()
                .await
                .map_err(aws_err)?;
        }
        if !added.is_empty() {
            aws.acm()
                .add_tags_to_certificate()
                .certificate_arn(&arn)
                .set_tags(Some(acm_tags(&added)?))
                .send()
                .await
                .map_err(aws_err)?;
        }
        read_cert(ctx, &aws, &self.schema, planned, &arn)
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!("ACM Certificate ({arn}) not found after update"))
            })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let arn = get_str(prior, "id").unwrap_or_default();
        let r = retry_on(
            &["ResourceInUseException"],
            Duration::from_secs(1200),
            || async {
                aws.acm()
                    .delete_certificate()
                    .certificate_arn(&arn)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(aws_err)
            },
        )
        .await;
        match r {
            Err(e) if is_gone(&e) => Ok(()),
            r => r,
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        read_cert(ctx, &aws, &self.schema, &Value::null(), id)
            .await?
            .ok_or_else(|| ProviderError::new(format!("ACM Certificate ({id}) not found")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dvo_plan() {
        let v = planned_dvos(
            &Value::string("example.com"),
            &Value::set(Type::String, vec![Value::string("www.example.com")]),
        );
        let items = v.as_seq().unwrap();
        assert_eq!(items.len(), 2);
        assert!(items.iter().all(
            |i| get(i, "domain_name").is_known() && !get(i, "resource_record_name").is_known()
        ));
        assert!(!planned_dvos(&Value::unknown(Type::String), &Value::null()).is_known());
    }

    #[test]
    fn sans_in_state() {
        let strs = |v: Value| -> Vec<String> {
            v.as_seq()
                .unwrap_or_default()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect()
        };
        let aws = vec!["example.com".to_string(), "www.example.com".to_string()];
        let set =
            |xs: &[&str]| Value::set(Type::String, xs.iter().map(|x| Value::string(*x)).collect());
        // Import (no prior): the domain name is not a SAN of the configuration.
        assert_eq!(
            strs(state_sans("example.com", &aws, &Value::null())),
            vec!["www.example.com"]
        );
        assert_eq!(
            strs(state_sans("example.com", &aws, &set(&["www.example.com"]))),
            vec!["www.example.com"]
        );
        assert_eq!(
            strs(state_sans(
                "example.com",
                &aws,
                &set(&["example.com", "www.example.com"])
            )),
            vec!["example.com", "www.example.com"]
        );
        // Drift: a SAN changed out of band shows as such.
        assert_eq!(
            strs(state_sans("example.com", &aws, &set(&["api.example.com"]))),
            vec!["www.example.com"]
        );
    }

    #[test]
    fn key_algorithms() {
        assert_eq!(key_algorithm_name("RSA-2048"), "RSA_2048");
        assert_eq!(key_algorithm_name("EC-prime256v1"), "EC_prime256v1");
        assert_eq!(key_algorithm_name("RSA_4096"), "RSA_4096");
    }
}
