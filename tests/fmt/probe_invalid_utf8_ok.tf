# ok
