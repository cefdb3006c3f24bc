module "m" { source = "." }
