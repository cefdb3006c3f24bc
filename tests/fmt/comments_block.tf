/* block comment at top */
locals {
  /* before attr */ a = 1
  b = /* inside */ 2
  c = 3 /* after */
  d = [
    1, /* one */
    2,
  ]
  /*
   multi
     line
  */
  e = 4
}
