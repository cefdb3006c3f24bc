foo-bar = 1
