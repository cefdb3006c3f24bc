module "m" { source = "./nope" }
