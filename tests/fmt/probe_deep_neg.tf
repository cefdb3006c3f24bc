a = -(-1)
b = [for x in y: -x]
c = !!x
