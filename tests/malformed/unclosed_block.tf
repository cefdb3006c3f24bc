locals {
  a = 
