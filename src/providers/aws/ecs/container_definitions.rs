//! `container_definitions` of `aws_ecs_task_definition`: the JSON text ↔
//! the SDK's `ContainerDefinition`s, and the provider's semantic
//! comparison (`containerDefinitionsAreEquivalent`): AWS fills in defaults
//! (essential, empty lists, tcp, host ports) and may reorder environment
//! variables and secrets, none of which is a change.

use std::collections::HashMap;

use aws_sdk_ecs::types::{
    ApplicationProtocol, ContainerCondition, ContainerDefinition, ContainerDependency,
    EnvironmentFile, EnvironmentFileType, FirelensConfiguration, FirelensConfigurationType,
    HealthCheck, HostEntry, KeyValuePair, LogConfiguration, LogDriver, MountPoint, PortMapping,
    RepositoryCredentials, ResourceRequirement, ResourceType, Secret, SystemControl,
    TransportProtocol, Ulimit, UlimitName, VolumeFrom,
};
use serde_json::{Map, Value as J};

use crate::providers::ProviderError;

type Obj = Map<String, J>;

fn err(m: impl std::fmt::Display) -> ProviderError {
    ProviderError::new(format!("invalid container_definitions: {m}"))
}

// ---------------------------------------------------------------------------
// Semantic comparison

/// The canonical form of a container definitions document, or `None` when
/// it is not a JSON array of objects.
pub fn canonical(doc: &str, awsvpc: bool) -> Option<J> {
    let v: J = serde_json::from_str(doc).ok()?;
    let J::Array(items) = v else { return None };
    let mut out = vec![];
    for it in items {
        let J::Object(mut o) = strip(it) else {
            return None;
        };
        if !o.contains_key("essential") {
            o.insert("essential".into(), J::Bool(true));
        }
        if o.get("cpu").and_then(|c| c.as_i64()) == Some(0) {
            o.remove("cpu");
        }
        for k in ["environment", "secrets"] {
            if let Some(J::Array(xs)) = o.get_mut(k) {
                xs.sort_by_key(|x| {
                    x.get("name")
                        .and_then(|n| n.as_str())
                        .unwrap_or_default()
                        .to_string()
                });
            }
        }
        if let Some(J::Array(pms)) = o.get_mut("portMappings") {
            for pm in pms.iter_mut() {
                if let J::Object(p) = pm {
                    if p.get("protocol").and_then(|x| x.as_str()) == Some("tcp") {
                        p.remove("protocol");
                    }
                    if p.get("hostPort").and_then(|x| x.as_i64()) == Some(0) {
                        p.remove("hostPort");
                    }
                    if awsvpc && !p.contains_key("hostPort") {
                        if let Some(c) = p.get("containerPort").cloned() {
                            p.insert("hostPort".into(), c);
                        }
                    }
                }
            }
        }
        out.push(sorted(J::Object(o)));
    }
    Some(J::Array(out))
}

/// Without nulls, empty arrays and empty objects (at any depth).
fn strip(v: J) -> J {
    match v {
        J::Object(o) => J::Object(
            o.into_iter()
                .map(|(k, x)| (k, strip(x)))
                .filter(|(_, x)| !is_empty(x))
                .collect(),
        ),
        J::Array(xs) => J::Array(xs.into_iter().map(strip).collect()),
        x => x,
    }
}

fn is_empty(x: &J) -> bool {
    match x {
        J::Null => true,
        J::Array(a) => a.is_empty(),
        J::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn sorted(v: J) -> J {
    match v {
        J::Object(o) => {
            let mut kv: Vec<(String, J)> = o.into_iter().map(|(k, x)| (k, sorted(x))).collect();
            kv.sort_by(|a, b| a.0.cmp(&b.0));
            J::Object(kv.into_iter().collect())
        }
        J::Array(xs) => J::Array(xs.into_iter().map(sorted).collect()),
        x => x,
    }
}

/// Whether two container definitions documents mean the same.
pub fn equivalent(a: &str, b: &str, awsvpc: bool) -> bool {
    match (canonical(a, awsvpc), canonical(b, awsvpc)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

// ---------------------------------------------------------------------------
// JSON → SDK

fn s(o: &Obj, k: &str) -> Option<String> {
    o.get(k).and_then(|x| x.as_str()).map(|x| x.to_string())
}
fn i(o: &Obj, k: &str) -> Option<i32> {
    o.get(k).and_then(|x| {
        x.as_i64()
            .or_else(|| x.as_f64().map(|f| f as i64))
            .or_else(|| x.as_str().and_then(|s| s.parse().ok()))
            .map(|n| n as i32)
    })
}
fn b(o: &Obj, k: &str) -> Option<bool> {
    o.get(k).and_then(|x| x.as_bool())
}
fn strs(o: &Obj, k: &str) -> Option<Vec<String>> {
    o.get(k).and_then(|x| x.as_array()).map(|a| {
        a.iter()
            .filter_map(|x| x.as_str().map(|s| s.to_string()))
            .collect()
    })
}
fn objs<'a>(o: &'a Obj, k: &str) -> Vec<&'a Obj> {
    o.get(k)
        .and_then(|x| x.as_array())
        .map(|a| a.iter().filter_map(|x| x.as_object()).collect())
        .unwrap_or_default()
}
fn smap(o: &Obj, k: &str) -> Option<HashMap<String, String>> {
    o.get(k).and_then(|x| x.as_object()).map(|m| {
        m.iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
            .collect()
    })
}
fn list<T>(
    o: &Obj,
    k: &str,
    f: impl Fn(&Obj) -> Result<T, ProviderError>,
) -> Result<Option<Vec<T>>, ProviderError> {
    if !o.contains_key(k) {
        return Ok(None);
    }
    objs(o, k)
        .into_iter()
        .map(f)
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

const KNOWN: &[&str] = &[
    "name",
    "image",
    "repositoryCredentials",
    "cpu",
    "memory",
    "memoryReservation",
    "links",
    "portMappings",
    "essential",
    "entryPoint",
    "command",
    "environment",
    "environmentFiles",
    "mountPoints",
    "volumesFrom",
    "secrets",
    "dependsOn",
    "startTimeout",
    "stopTimeout",
    "hostname",
    "user",
    "workingDirectory",
    "disableNetworking",
    "privileged",
    "readonlyRootFilesystem",
    "dnsServers",
    "dnsSearchDomains",
    "extraHosts",
    "dockerSecurityOptions",
    "interactive",
    "pseudoTerminal",
    "dockerLabels",
    "ulimits",
    "logConfiguration",
    "healthCheck",
    "systemControls",
    "resourceRequirements",
    "firelensConfiguration",
    "credentialSpecs",
];

/// Parse a container definitions document for RegisterTaskDefinition.
pub fn parse(doc: &str) -> Result<Vec<ContainerDefinition>, ProviderError> {
    let v: J = serde_json::from_str(doc).map_err(err)?;
    let J::Array(items) = v else {
        return Err(err("not a JSON array"));
    };
    let mut out = vec![];
    for it in &items {
        let o = it
            .as_object()
            .ok_or_else(|| err("an element is not a JSON object"))?;
        if let Some(k) = o.keys().find(|k| !KNOWN.contains(&k.as_str())) {
            return Err(err(format!("unsupported container definition key {k:?}")));
        }
        out.push(container(o)?);
    }
    Ok(out)
}

fn container(o: &Obj) -> Result<ContainerDefinition, ProviderError> {
    let kv = |x: &Obj| {
        Ok(KeyValuePair::builder()
            .set_name(s(x, "name"))
            .set_value(s(x, "value"))
            .build())
    };
    Ok(ContainerDefinition::builder()
        .set_name(s(o, "name"))
        .set_image(s(o, "image"))
        .set_repository_credentials(
            match o.get("repositoryCredentials").and_then(|x| x.as_object()) {
                Some(r) => Some(
                    RepositoryCredentials::builder()
                        .set_credentials_parameter(s(r, "credentialsParameter"))
                        .build()
                        .map_err(err)?,
                ),
                None => None,
            },
        )
        .set_cpu(i(o, "cpu"))
        .set_memory(i(o, "memory"))
        .set_memory_reservation(i(o, "memoryReservation"))
        .set_links(strs(o, "links"))
        .set_port_mappings(list(o, "portMappings", |p| {
            Ok(PortMapping::builder()
                .set_container_port(i(p, "containerPort"))
                .set_host_port(i(p, "hostPort"))
                .set_protocol(s(p, "protocol").map(|x| TransportProtocol::from(x.as_str())))
                .set_name(s(p, "name"))
                .set_app_protocol(
                    s(p, "appProtocol").map(|x| ApplicationProtocol::from(x.as_str())),
                )
                .set_container_port_range(s(p, "containerPortRange"))
                .build())
        })?)
        .set_essential(b(o, "essential"))
        .set_entry_point(strs(o, "entryPoint"))
        .set_command(strs(o, "command"))
        .set_environment(list(o, "environment", kv)?)
        .set_environment_files(list(o, "environmentFiles", |x| {
            EnvironmentFile::builder()
                .set_value(s(x, "value"))
                .set_type(s(x, "type").map(|t| EnvironmentFileType::from(t.as_str())))
                .build()
                .map_err(err)
        })?)
        .set_mount_points(list(o, "mountPoints", |x| {
            Ok(MountPoint::builder()
                .set_source_volume(s(x, "sourceVolume"))
                .set_container_path(s(x, "containerPath"))
                .set_read_only(b(x, "readOnly"))
                .build())
        })?)
        .set_volumes_from(list(o, "volumesFrom", |x| {
            Ok(VolumeFrom::builder()
                .set_source_container(s(x, "sourceContainer"))
                .set_read_only(b(x, "readOnly"))
                .build())
        })?)
        .set_secrets(list(o, "secrets", |x| {
            Secret::builder()
                .set_name(s(x, "name"))
                .set_value_from(s(x, "valueFrom"))
                .build()
                .map_err(err)
        })?)
        .set_depends_on(list(o, "dependsOn", |x| {
            ContainerDependency::builder()
                .set_container_name(s(x, "containerName"))
                .set_condition(s(x, "condition").map(|c| ContainerCondition::from(c.as_str())))
                .build()
                .map_err(err)
        })?)
        .set_start_timeout(i(o, "startTimeout"))
        .set_stop_timeout(i(o, "stopTimeout"))
        .set_hostname(s(o, "hostname"))
        .set_user(s(o, "user"))
        .set_working_directory(s(o, "workingDirectory"))
        .set_disable_networking(b(o, "disableNetworking"))
        .set_privileged(b(o, "privileged"))
        .set_readonly_root_filesystem(b(o, "readonlyRootFilesystem"))
        .set_dns_servers(strs(o, "dnsServers"))
        .set_dns_search_domains(strs(o, "dnsSearchDomains"))
        .set_extra_hosts(list(o, "extraHosts", |x| {
            HostEntry::builder()
                .set_hostname(s(x, "hostname"))
                .set_ip_address(s(x, "ipAddress"))
                .build()
                .map_err(err)
        })?)
        .set_docker_security_options(strs(o, "dockerSecurityOptions"))
        .set_interactive(b(o, "interactive"))
        .set_pseudo_terminal(b(o, "pseudoTerminal"))
        .set_docker_labels(smap(o, "dockerLabels"))
        .set_ulimits(list(o, "ulimits", |x| {
            Ulimit::builder()
                .set_name(s(x, "name").map(|n| UlimitName::from(n.as_str())))
                .set_soft_limit(i(x, "softLimit"))
                .set_hard_limit(i(x, "hardLimit"))
                .build()
                .map_err(err)
        })?)
        .set_log_configuration(
            match o.get("logConfiguration").and_then(|x| x.as_object()) {
                Some(l) => Some(
                    LogConfiguration::builder()
                        .set_log_driver(s(l, "logDriver").map(|d| LogDriver::from(d.as_str())))
                        .set_options(smap(l, "options"))
                        .set_secret_options(list(l, "secretOptions", |x| {
                            Secret::builder()
                                .set_name(s(x, "name"))
                                .set_value_from(s(x, "valueFrom"))
                                .build()
                                .map_err(err)
                        })?)
                        .build()
                        .map_err(err)?,
                ),
                None => None,
            },
        )
        .set_health_check(match o.get("healthCheck").and_then(|x| x.as_object()) {
            Some(h) => Some(
                HealthCheck::builder()
                    .set_command(strs(h, "command"))
                    .set_interval(i(h, "interval"))
                    .set_timeout(i(h, "timeout"))
                    .set_retries(i(h, "retries"))
                    .set_start_period(i(h, "startPeriod"))
                    .build()
                    .map_err(err)?,
            ),
            None => None,
        })
        .set_system_controls(list(o, "systemControls", |x| {
            Ok(SystemControl::builder()
                .set_namespace(s(x, "namespace"))
                .set_value(s(x, "value"))
                .build())
        })?)
        .set_resource_requirements(list(o, "resourceRequirements", |x| {
            ResourceRequirement::builder()
                .set_value(s(x, "value"))
                .set_type(s(x, "type").map(|t| ResourceType::from(t.as_str())))
                .build()
                .map_err(err)
        })?)
        .set_firelens_configuration(
            match o.get("firelensConfiguration").and_then(|x| x.as_object()) {
                Some(f) => Some(
                    FirelensConfiguration::builder()
                        .set_type(s(f, "type").map(|t| FirelensConfigurationType::from(t.as_str())))
                        .set_options(smap(f, "options"))
                        .build()
                        .map_err(err)?,
                ),
                None => None,
            },
        )
        .set_credential_specs(strs(o, "credentialSpecs"))
        .build())
}

// ---------------------------------------------------------------------------
// SDK → JSON

struct W(Obj);

impl W {
    fn s(&mut self, k: &str, v: Option<&str>) -> &mut Self {
        if let Some(v) = v {
            self.0.insert(k.into(), J::String(v.into()));
        }
        self
    }
    fn i(&mut self, k: &str, v: Option<i32>) -> &mut Self {
        if let Some(v) = v {
            self.0.insert(k.into(), J::from(v));
        }
        self
    }
    fn b(&mut self, k: &str, v: Option<bool>) -> &mut Self {
        if let Some(v) = v {
            self.0.insert(k.into(), J::Bool(v));
        }
        self
    }
    fn strs(&mut self, k: &str, v: &[String]) -> &mut Self {
        self.0.insert(
            k.into(),
            J::Array(v.iter().map(|x| J::String(x.clone())).collect()),
        );
        self
    }
    fn map(&mut self, k: &str, v: Option<&HashMap<String, String>>) -> &mut Self {
        if let Some(m) = v {
            let mut kv: Vec<_> = m.iter().collect();
            kv.sort();
            self.0.insert(
                k.into(),
                J::Object(
                    kv.into_iter()
                        .map(|(a, b)| (a.clone(), J::String(b.clone())))
                        .collect(),
                ),
            );
        }
        self
    }
    fn arr(&mut self, k: &str, v: Vec<J>) -> &mut Self {
        self.0.insert(k.into(), J::Array(v));
        self
    }
    fn obj(&mut self, k: &str, v: Option<J>) -> &mut Self {
        if let Some(v) = v {
            self.0.insert(k.into(), v);
        }
        self
    }
    fn done(&mut self) -> J {
        J::Object(std::mem::take(&mut self.0))
    }
}

fn w() -> W {
    W(Map::new())
}

/// The container definitions AWS reports, as a JSON document.
pub fn to_json(defs: &[ContainerDefinition]) -> String {
    let items: Vec<J> = defs.iter().map(container_json).collect();
    serde_json::to_string(&J::Array(items)).unwrap_or_else(|_| "[]".into())
}

fn container_json(c: &ContainerDefinition) -> J {
    let secret = |x: &Secret| {
        w().s("name", Some(x.name()))
            .s("valueFrom", Some(x.value_from()))
            .done()
    };
    let mut out = w();
    out.s("name", c.name())
        .s("image", c.image())
        .obj(
            "repositoryCredentials",
            c.repository_credentials().map(|r| {
                w().s("credentialsParameter", Some(r.credentials_parameter()))
                    .done()
            }),
        )
        .i("cpu", Some(c.cpu()))
        .i("memory", c.memory())
        .i("memoryReservation", c.memory_reservation())
        .strs("links", c.links())
        .arr(
            "portMappings",
            c.port_mappings()
                .iter()
                .map(|p| {
                    w().i("containerPort", p.container_port())
                        .i("hostPort", p.host_port())
                        .s("protocol", p.protocol().map(|x| x.as_str()))
                        .s("name", p.name())
                        .s("appProtocol", p.app_protocol().map(|x| x.as_str()))
                        .s("containerPortRange", p.container_port_range())
                        .done()
                })
                .collect(),
        )
        .b("essential", c.essential())
        .strs("entryPoint", c.entry_point())
        .strs("command", c.command())
        .arr(
            "environment",
            c.environment()
                .iter()
                .map(|e| w().s("name", e.name()).s("value", e.value()).done())
                .collect(),
        )
        .arr(
            "environmentFiles",
            c.environment_files()
                .iter()
                .map(|e| {
                    w().s("value", Some(e.value()))
                        .s("type", Some(e.r#type().as_str()))
                        .done()
                })
                .collect(),
        )
        .arr(
            "mountPoints",
            c.mount_points()
                .iter()
                .map(|m| {
                    w().s("sourceVolume", m.source_volume())
                        .s("containerPath", m.container_path())
                        .b("readOnly", m.read_only())
                        .done()
                })
                .collect(),
        )
        .arr(
            "volumesFrom",
            c.volumes_from()
                .iter()
                .map(|m| {
                    w().s("sourceContainer", m.source_container())
                        .b("readOnly", m.read_only())
                        .done()
                })
                .collect(),
        )
        .arr("secrets", c.secrets().iter().map(secret).collect())
        .arr(
            "dependsOn",
            c.depends_on()
                .iter()
                .map(|d| {
                    w().s("containerName", Some(d.container_name()))
                        .s("condition", Some(d.condition().as_str()))
                        .done()
                })
                .collect(),
        )
        .i("startTimeout", c.start_timeout())
        .i("stopTimeout", c.stop_timeout())
        .s("hostname", c.hostname())
        .s("user", c.user())
        .s("workingDirectory", c.working_directory())
        .b("disableNetworking", c.disable_networking())
        .b("privileged", c.privileged())
        .b("readonlyRootFilesystem", c.readonly_root_filesystem())
        .strs("dnsServers", c.dns_servers())
        .strs("dnsSearchDomains", c.dns_search_domains())
        .arr(
            "extraHosts",
            c.extra_hosts()
                .iter()
                .map(|h| {
                    w().s("hostname", Some(h.hostname()))
                        .s("ipAddress", Some(h.ip_address()))
                        .done()
                })
                .collect(),
        )
        .strs("dockerSecurityOptions", c.docker_security_options())
        .b("interactive", c.interactive())
        .b("pseudoTerminal", c.pseudo_terminal())
        .map("dockerLabels", c.docker_labels())
        .arr(
            "ulimits",
            c.ulimits()
                .iter()
                .map(|u| {
                    w().s("name", Some(u.name().as_str()))
                        .i("softLimit", Some(u.soft_limit()))
                        .i("hardLimit", Some(u.hard_limit()))
                        .done()
                })
                .collect(),
        )
        .obj(
            "logConfiguration",
            c.log_configuration().map(|l| {
                w().s("logDriver", Some(l.log_driver().as_str()))
                    .map("options", l.options())
                    .arr(
                        "secretOptions",
                        l.secret_options().iter().map(secret).collect(),
                    )
                    .done()
            }),
        )
        .obj(
            "healthCheck",
            c.health_check().map(|h| {
                w().strs("command", h.command())
                    .i("interval", h.interval())
                    .i("timeout", h.timeout())
                    .i("retries", h.retries())
                    .i("startPeriod", h.start_period())
                    .done()
            }),
        )
        .arr(
            "systemControls",
            c.system_controls()
                .iter()
                .map(|x| {
                    w().s("namespace", x.namespace())
                        .s("value", x.value())
                        .done()
                })
                .collect(),
        )
        .arr(
            "resourceRequirements",
            c.resource_requirements()
                .iter()
                .map(|x| {
                    w().s("value", Some(x.value()))
                        .s("type", Some(x.r#type().as_str()))
                        .done()
                })
                .collect(),
        )
        .obj(
            "firelensConfiguration",
            c.firelens_configuration().map(|f| {
                w().s("type", Some(f.r#type().as_str()))
                    .map("options", f.options())
                    .done()
            }),
        )
        .strs("credentialSpecs", c.credential_specs());
    strip(out.done())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_defaults_are_no_change() {
        let cfg = r#"[{"name":"web","image":"nginx","portMappings":[{"containerPort":80}],
            "environment":[{"name":"B","value":"2"},{"name":"A","value":"1"}]}]"#;
        let aws = r#"[{"name":"web","image":"nginx","cpu":0,"essential":true,"mountPoints":[],
            "volumesFrom":[],"portMappings":[{"containerPort":80,"hostPort":80,"protocol":"tcp"}],
            "environment":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}]"#;
        assert!(equivalent(cfg, aws, true));
        assert!(!equivalent(
            cfg,
            aws.replace("nginx", "httpd").as_str(),
            true
        ));
        assert!(!equivalent(
            cfg,
            &aws.replace("\"essential\":true", "\"essential\":false"),
            true
        ));
    }

    #[test]
    fn round_trip() {
        let cfg = r#"[{"name":"web","image":"nginx","memory":512,"essential":true,
            "portMappings":[{"containerPort":80,"protocol":"tcp"}],
            "logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"g"}}}]"#;
        let defs = parse(cfg).unwrap();
        assert!(equivalent(cfg, &to_json(&defs), true));
        assert!(parse(r#"[{"name":"x","bogus":1}]"#).is_err());
        assert!(parse("{}").is_err());
    }
}
