# Oracle cases made by herd developers with the Terraform 0.15 binary (see scripts/gen-conformance-extra.sh).
locals {
  nested = { a = { b = [1, 2, { c = "d" }] }, e = null }
  people = [{ name = "ann", age = 30, tags = ["x"] }, { name = "bob", age = 25, tags = [] }]
}
output "o1"  { value = local.nested.a.b[2].c }
output "o2"  { value = [for p in local.people : upper(p.name) if p.age > 26] }
output "o3"  { value = { for p in local.people : p.name => p.age } }
output "o4"  { value = local.people[*].name }
output "o5"  { value = flatten(local.people[*].tags) }
output "o6"  { value = { for p in local.people : (p.age > 26 ? "old" : "young") => p.name... } }
output "o7"  { value = try(local.nested.e.f, "nf") }
output "o8"  { value = can(local.nested.zz) }
output "o9"  { value = lookup(local.nested, "e", "dflt") }
output "o10" { value = length(local.nested) }
output "o11" { value = [for i, v in ["a","b"] : "${i}=${v}"] }
output "o12" { value = { for k, v in { x = 1, y = 2 } : upper(k) => v * 10 } }
output "o13" { value = merge({ a = 1 }, { b = "two" }, { a = [3] }) }
output "o14" { value = coalesce(null, "", "z") }
output "o15" { value = jsonencode({ b = [1, "x", true, null], a = { "<x>" = "&" } }) }
output "o16" { value = yamlencode([{ a = 1, b = "two" }, "three", 4.5, true, null]) }
output "o17" { value = format("%5.2f|%-5d|%05d|%x|%X|%o|%e|%g|%q|%t|%v|%#v", 3.14159, 42, 42, 255, 255, 8, 12345.678, 0.0001, "hi", true, [1,2], {a=1}) }
output "o18" { value = formatlist("%s=%d", ["a", "b"], [1, 2]) }
output "o19" { value = [true && false, true || false, !true, 1 < 2, 2 >= 2, "a" != "b"] }
output "o20" { value = [5 % 3, -5 % 3, 5.5 % 2, 7 / 2, -7 / 2, 2 * -3] }
output "o21" { value = [floor(-1.5), ceil(-1.5), abs(-0), max(-1, -2.5), min(1, 1.5)] }
output "o22" { value = split(",", "") }
output "o23" { value = join("-", []) }
output "o24" { value = compact(["a", "", null, "b"]) }
output "o25" { value = distinct([1, 2, 1, "1"]) }
output "o26" { value = setproduct(["a"], [1, 2], [true]) }
output "o27" { value = range(5, 0, -2) }
output "o28" { value = slice([1,2,3,4], 1, 1) }
output "o29" { value = reverse("${"abc"}" == "abc" ? [1,2] : [3]) }
output "o30" { value = sort(["b", "A", "a", "10", "9"]) }
output "o31" { value = zipmap(["a", "b"], [1, [2]]) }
output "o32" { value = transpose({ a = ["1", "2"], b = ["2", "3"] }) }
output "o33" { value = keys({ b = 1, a = 2 }) }
output "o34" { value = values({ b = 1, a = "x" }) }
output "o35" { value = contains([1, 2], 2.0) }
output "o36" { value = index(["a", "b"], "b") }
output "o37" { value = element([1, 2, 3], 4) }
output "o38" { value = chunklist([1, 2, 3, 4, 5], 2) }
output "o39" { value = matchkeys(["a", "b", "c"], [1, 2, 3], [2, 3]) }
output "o40" { value = alltrue([]) }
output "o41" { value = sum([1, 2.5, -1]) }
output "o43" { value = tolist(toset([3, 1, 2])) }
output "o44" { value = toset(["b", "a", "c"]) }
output "o46" { value = [for s in toset(["x", "y"]) : s] }
output "o47" { value = [1, "a", true][1] }
output "o48" { value = { a = 1 }["a"] }
output "o49" { value = "%{for x in [1,2,3]}${x}%{if x < 3},%{endif}%{endfor}" }
output "o50" {
  value = <<EOT
  indented ${1 + 1}
    more
EOT
}
output "o51" {
  value = <<-EOT
    flush ${"x"}
      deeper
    EOT
}
output "o52" { value = substr("héllo wörld", 1, 4) }
output "o53" { value = title("hello-world foo_bar") }
output "o54" { value = replace("hello world", "/o(.)/", "0$1") }
output "o55" { value = regexall("(?P<k>\\w)=(?P<v>\\d)", "a=1 b=2") }
output "o56" { value = trim("?!hello?!", "!?") }
output "o57" { value = split("/", "a/b//c") }
output "o58" { value = strrev("héllo") }
output "o59" { value = length("héllo👍") }
output "o60" { value = upper("ß") }
output "o61" { value = urlencode("a+b c/d?e=f&g") }
output "o62" { value = base64encode("héllo") }
output "o63" { value = cidrsubnets("10.0.0.0/16", 4, 4, 8, 4) }
output "o64" { value = cidrhost("10.0.0.0/24", -1) }
output "o65" { value = cidrsubnet("fd00::/56", 8, 3) }
output "o66" { value = parseint("-101", 2) }
output "o68" { value = timeadd("2024-01-31T10:00:00Z", "744h") }
output "o69" { value = formatdate("EEEE, DD-MMM-YY hh:mm:ss ZZZ", "2024-02-29T13:04:05+02:00") }
output "o70" { value = 1e3 }
output "o71" { value = 12345678901234567890 * 10 }
output "o72" { value = 1 / 3 * 3 }
output "o73" { value = 0.1 + 0.2 == 0.3 }
output "o74" { value = tostring(1e21) }
output "o75" { value = 100000000000000000000000 }
