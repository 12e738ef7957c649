print("jobq")
