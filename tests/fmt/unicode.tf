locals {
  ünïcode = "héllo wörld"
  emoji = "🚀 launch"
  a = 1
  日本語 = "テスト"
  b = 2 # コメント
  cc = 3 # comment
}
