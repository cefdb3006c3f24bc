a /* c */ = 1
bb = 2
