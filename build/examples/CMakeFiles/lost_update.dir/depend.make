# Empty dependencies file for lost_update.
# This may be replaced when dependencies are built.
