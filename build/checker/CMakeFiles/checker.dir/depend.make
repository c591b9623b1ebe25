# Empty dependencies file for checker.
# This may be replaced when dependencies are built.
