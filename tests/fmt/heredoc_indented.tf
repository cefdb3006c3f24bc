locals {
  script = <<-EOT
      #!/bin/bash
      echo "${var.name}"
        echo ${ upper(var.x) }
    EOT
  other = 1
}
