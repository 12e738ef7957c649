print("ingest-worker")
