"""The last stage: format the files (format.py), check they compile, write them (write.py)."""
