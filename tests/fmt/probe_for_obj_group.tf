a = { for x in y : x.k => x.v... if x.ok }
