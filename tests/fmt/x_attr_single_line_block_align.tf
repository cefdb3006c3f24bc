locals {
  a = 1
}
x { y = 1 }
z {
  abc = 1
  d = 2
  e { f = 3 }
  ggg = 4
}
