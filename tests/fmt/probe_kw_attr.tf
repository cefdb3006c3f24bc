for = 1
in = 2
if = 3
