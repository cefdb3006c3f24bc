a = b . c
