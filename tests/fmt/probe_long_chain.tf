a = var.b.c.d[0].e["f"].g[*].h
