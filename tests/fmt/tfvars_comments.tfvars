# settings
name = "x" # the name
count = 2 // count
/* block */ enabled = true
