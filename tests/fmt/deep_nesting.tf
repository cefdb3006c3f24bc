locals {
  x = {
    a = {
      b = {
        c = [
          {
            d = 1
          },
        ]
      }
    }
  }
}
