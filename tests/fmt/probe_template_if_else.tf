a = <<EOT
%{if x}
y
%{else}
z
%{endif}
EOT
