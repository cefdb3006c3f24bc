# a
# b

// c
/* d */
/* e */ # f
locals {
}
