variable "lst" {
  type    = list(object({ a = string, b = number }))
  default = [{ a = "x", b = null }, { a = "y", b = 2 }]
}
variable "m" {
  type    = map(any)
  default = { a = [1, 2], b = [3] }
}
variable "s" {
  type    = set(string)
  default = ["b", "a", "b"]
}
variable "t" {
  type    = tuple([string, number, bool])
  default = ["1", "2", "true"]
}
module "m1" {
  source = "./mod"
  cfg    = { name = "one", size = 1, tags = {} }

}
module "m2" {
  source = "./mod"
  cfg    = { name = "two", size = 9, tags = { k = "v" }, extra = "dropped" }
}
locals {
  objs = { x = { id = 1 }, y = { id = 2 } }
}
output "m1" { value = module.m1 }
output "m2cfg" { value = module.m2.cfg }
output "lst" { value = var.lst }
output "m" { value = var.m }
output "s" { value = var.s }
output "t" { value = var.t }
output "splat_map" { value = values(local.objs)[*].id }
output "splat_null" { value = null[*] }
output "splat_single" { value = "x"[*] }
output "for_set" { value = [for x in var.s : "${x}!"] }
output "for_map_set" { value = { for x in var.s : x => length(x) } }
output "null_eq" { value = [null == null, var.lst[0].b == null] }
output "cond_null" { value = true ? null : "x" }
output "str_num" { value = "10" + 5 }
output "bool_str" { value = "${true}" }
output "num_fmt" { value = ["${1.5}", "${100}", "${-0.000001}", "${1e-7}"] }
output "list_of_lists" { value = [[1], [2, 3], []] }
output "mixed_cond" { value = false ? [1, 2] : tolist([3]) }
output "nested_tmpl" { value = "a${"b${"c"}"}d" }
output "esc" { value = "tab\tnl\nquote\"back\\u\u00e9" }
output "tmpl_strip" { value = "x ${~ "y" ~} z" }
output "lengths" { value = [length([]), length({}), length(""), length(toset([]))] }
output "merge_maps" { value = merge(tomap({ a = "1" }), tomap({ b = "2" })) }
output "concat_mixed" { value = concat([1], ["a"], [true]) }
output "flatten_deep" { value = flatten([[[1, [2]], 3], [], [[]]]) }
output "coalescelist" { value = coalescelist([], [], ["z"]) }
output "lookup_default" { value = lookup({ a = 1 }, "b", "none") }
output "contains_set" { value = contains(toset(["a"]), "a") }
output "index_tuple" { value = ["a", 1][0] }
output "jsondecode" { value = jsondecode("{\"a\": [1, 2.5, \"x\", null, {\"b\": false}]}") }
output "yamldecode" { value = yamldecode("a: 1\nb: [x, 'y', 2.5, true, ~]\nc: {d: e}\n") }
output "csv" { value = csvdecode("a,b\n1,\"x,y\"\n") }
output "fmtdate" { value = formatdate("YYYY-MM-DD'T'hh:mm:ssZ", "2020-06-01T12:00:00-07:00") }
output "bigmul" { value = 99999999999 * 99999999999 }
output "frac" { value = [1/7, 2/3, 10/4] }
output "neg_zero" { value = -0 }
output "sci" { value = [1.5e2, 2E-3] }
