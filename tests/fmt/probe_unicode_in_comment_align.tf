a = 1 # x
bé = 2 # y
