output "url" {
  description = "Where the app is served"
  value       = "https://${var.domain}"
}

output "load_balancer_dns_name" {
  description = "The load balancer's own name (reachable before DNS delegation)"
  value       = aws_lb.this.dns_name
}

output "name_servers" {
  description = "Delegate the domain to these name servers at its registrar"
  value       = aws_route53_zone.this.name_servers
}

output "database_endpoint" {
  description = "host:port of PostgreSQL (reachable from the private subnets only)"
  value       = aws_db_instance.this.endpoint
}

output "database_url_secret_arn" {
  description = "Secrets Manager secret holding DATABASE_URL"
  value       = aws_secretsmanager_secret.database_url.arn
}

output "account_and_region" {
  value = "${data.aws_caller_identity.current.account_id} / ${data.aws_region.current.name}"
}
