a = [
  1,
] # end
bb = 2 # x
