resource "a" "b" {
	name	=	"x"
		value = 1
	nested {
		k = "v"	# tab comment
	}
}
