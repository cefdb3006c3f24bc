locals {
}
   