//! Built-in functions: conversion family.

use super::Registry;

pub fn register(_r: &mut Registry) {}
