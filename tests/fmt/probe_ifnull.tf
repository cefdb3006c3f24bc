a = x != null ? x : "d"
