a = "abc$"
b = "abc%"
