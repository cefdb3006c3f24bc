output "pw" {
value=var.pw
sensitive=true
description="the password"
depends_on=[]
}
