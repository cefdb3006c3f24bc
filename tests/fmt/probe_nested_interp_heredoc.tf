a = <<EOT
${"${x}"}
EOT
