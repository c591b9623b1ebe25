file(REMOVE_RECURSE
  "libchecker.a"
)
